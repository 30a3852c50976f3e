import type { Tensor } from "../tensor.js";
import { Module } from "./module.js";

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

  forward(input: Tensor): Tensor {
    let x = input;
    for (let i = 0; i < this.length; i++) x = this.at(i).forward(x);
    return x;
  }
}
