import type { Tensor } from "../tensor.js";
import {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  checkReduction,
  crossEntropy,
  l1Loss,
  mseLoss,
  type Reduction,
} from "./lossFunctions.js";
import { Module } from "./module.js";

/** Options every loss takes. */
export interface LossOptions {
  reduction?: Reduction;
}

function checkOptions(op: string, opts: object): void {
  for (const key of Object.keys(opts)) {
    if (key !== "reduction") throw new Error(`${op}: unknown option "${key}"; expected reduction`);
  }
}

/** A loss module: `forward(input, target)` with PyTorch's `reduction`. */
abstract class Loss extends Module {
  readonly reduction: Reduction;

  constructor(op: string, opts: LossOptions) {
    super();
    checkOptions(op, opts);
    this.reduction = checkReduction(op, opts.reduction ?? "mean");
  }
}

/** Mean squared error, as `torch.nn.MSELoss`. */
export class MSELoss extends Loss {
  constructor(opts: LossOptions = {}) {
    super("MSELoss", opts);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.reduction);
  }
}

/** Mean absolute error, as `torch.nn.L1Loss`. */
export class L1Loss extends Loss {
  constructor(opts: LossOptions = {}) {
    super("L1Loss", opts);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.reduction);
  }
}

/** Cross-entropy of logits against class indices, as `torch.nn.CrossEntropyLoss`. */
export class CrossEntropyLoss extends Loss {
  constructor(opts: LossOptions = {}) {
    super("CrossEntropyLoss", opts);
  }

  forward(input: Tensor, target: Tensor | readonly number[] | Int32Array): Tensor {
    return crossEntropy(input, target, this.reduction);
  }
}

/** Binary cross-entropy of probabilities, as `torch.nn.BCELoss`. */
export class BCELoss extends Loss {
  constructor(opts: LossOptions = {}) {
    super("BCELoss", opts);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, this.reduction);
  }
}

/** Binary cross-entropy of logits, numerically stable, as `torch.nn.BCEWithLogitsLoss`. */
export class BCEWithLogitsLoss extends Loss {
  constructor(opts: LossOptions = {}) {
    super("BCEWithLogitsLoss", opts);
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.reduction);
  }
}
