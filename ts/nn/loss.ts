import type { Tensor } from "../tensor.js";
import { checkReduction, mseLoss, type Reduction } from "./functional.js";
import { Module } from "./module.js";

/** Options every loss takes. */
export interface LossOptions {
  reduction?: Reduction;
}

/** Mean squared error, as `torch.nn.MSELoss`. */
export class MSELoss extends Module {
  readonly reduction: Reduction;

  constructor(opts: LossOptions = {}) {
    super();
    this.reduction = checkReduction("MSELoss", opts.reduction ?? "mean");
  }

  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.reduction);
  }
}
