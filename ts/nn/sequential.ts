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
   * values and gradients, one pass over the output instead of two). A result passed
   * from one built-in Linear or ReLU to another is seen by no other code, so it is freed
   * as soon as nothing needs it: at once when no graph was recorded, else when backward
   * has passed it. In a long synchronous loop the collector cannot free it in time.
   */
  forward(input: Tensor): Tensor {
    let x = input;
    let fromBuiltIn = false;
    for (let i = 0; i < this.length; i++) {
      const m = this.at(i);
      const fused = i + 1 < this.length && isPlain(m, Linear) && isPlain(this.at(i + 1), ReLU);
      const builtIn = fused || isPlain(m, Linear) || isPlain(m, ReLU);
      const y = fused ? linearOp(x, (m as Linear).weight, (m as Linear).bias, true) : m.forward(x);
      if (fromBuiltIn && builtIn) {
        if (y.gradFn === null) x.dispose();
        else x.markGraphOnly();
      }
      if (fused) i++;
      x = y;
      fromBuiltIn = builtIn;
    }
    return x;
  }
}
