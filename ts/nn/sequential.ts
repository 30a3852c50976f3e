import type { Tensor } from "../tensor.js";
import { ReLU } from "./activation.js";
import { Linear } from "./linear.js";
import { linearOp } from "./linearOp.js";
import { Module } from "./module.js";

/** Exactly `cls`, not a subclass that may have its own forward. */
function isPlain<T>(m: Module, cls: { prototype: T }): m is Module & T {
  return Object.getPrototypeOf(m) === cls.prototype;
}

/** Modules applied in order, registered as "0", "1", ... as `torch.nn.Sequential`. */
export class Sequential extends Module {
  readonly length: number;

  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new Error(`Sequential: argument ${i} is not a Module (got ${String(m)})`);
      Object.defineProperty(this, String(i), { value: m, enumerable: true });
    });
    this.length = modules.length;
  }

  /** The module at `index` (negative counts from the end). */
  at(index: number): Module {
    const m = (this as unknown as Record<string, unknown>)[String(index < 0 ? index + this.length : index)];
    if (!(m instanceof Module))
      throw new Error(`Sequential: index ${index} is out of range for ${this.length} modules`);
    return m;
  }

  /**
   * Each module in turn; a Linear followed by a ReLU runs as one fused node (same
   * values and gradients, one pass over the output instead of two).
   */
  forward(input: Tensor): Tensor {
    let x = input;
    for (let i = 0; i < this.length; i++) {
      const m = this.at(i);
      if (i + 1 < this.length && isPlain(m, Linear) && isPlain(this.at(i + 1), ReLU)) {
        x = linearOp(x, m.weight, m.bias, true);
        i++;
      } else {
        x = m.forward(x);
      }
    }
    return x;
  }
}
