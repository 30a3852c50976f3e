import { dropout } from "../ops/dropout.js";
import type { Tensor } from "../tensor.js";
import { Module } from "./module.js";

/** `max(x, 0)`, as `torch.nn.ReLU`. */
export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return input.relu();
  }
}

/** `1 / (1 + e^−x)`, as `torch.nn.Sigmoid`. */
export class Sigmoid extends Module {
  forward(input: Tensor): Tensor {
    return input.sigmoid();
  }
}

/** Hyperbolic tangent, as `torch.nn.Tanh`. */
export class Tanh extends Module {
  forward(input: Tensor): Tensor {
    return input.tanh();
  }
}

/** Softmax along `dim`, as `torch.nn.Softmax`; the dim must be given. */
export class Softmax extends Module {
  readonly dim: number;

  constructor(opts: { dim: number }) {
    super();
    if (!Number.isInteger(opts?.dim)) throw new Error(`Softmax: dim must be an integer, got ${String(opts?.dim)}`);
    this.dim = opts.dim;
  }

  forward(input: Tensor): Tensor {
    return input.softmax(this.dim);
  }
}

/** Zeroes elements with probability `p` in training and scales the rest by 1/(1−p), as `torch.nn.Dropout`. */
export class Dropout extends Module {
  readonly p: number;

  constructor(opts: { p?: number } = {}) {
    super();
    const p = opts.p ?? 0.5;
    if (typeof p !== "number" || !(p >= 0 && p <= 1)) {
      throw new Error(`Dropout: dropout probability has to be between 0 and 1, but got ${String(p)}`);
    }
    this.p = p;
  }

  forward(input: Tensor): Tensor {
    return dropout(input, this.p, this.training);
  }
}
