import { checkOption, nonNegative, positive } from "../options.js";
import { type AnyOptimizer, LRScheduler, schedulerOptions } from "./scheduler.js";

export interface CosineAnnealingLROptions {
  /** Epochs of half a cosine period: from the initial lr down to etaMin. */
  tMax: number;
  etaMin?: number;
}

/**
 * Cosine annealing from each group's initial lr to `etaMin` over `tMax` epochs, then
 * back up, as `torch.optim.lr_scheduler.CosineAnnealingLR` (without restarts).
 */
export class CosineAnnealingLR extends LRScheduler {
  readonly tMax: number;
  readonly etaMin: number;

  constructor(optimizer: AnyOptimizer, opts: CosineAnnealingLROptions) {
    const op = "CosineAnnealingLR";
    const o = schedulerOptions(op, optimizer, opts, { tMax: undefined, etaMin: 0 });
    const tMax = checkOption(op, "tMax", o.tMax, positive, "> 0");
    const etaMin = checkOption(op, "etaMin", o.etaMin, nonNegative, ">= 0");
    super(optimizer);
    this.tMax = tMax;
    this.etaMin = etaMin;
    this.initialStep();
  }

  // PyTorch 1.13's recursive form: each lr is the previous one scaled by the ratio of
  // consecutive cosine terms, except where the denominator would vanish (the bottom of
  // a period), where it adds the closed-form increment instead. Fixtures compare against
  // PyTorch's get_last_lr, which follows exactly these operations.
  protected computeLr(): number[] {
    const { tMax, etaMin, lastEpoch: e } = this;
    const lrs = this.currentLrs();
    if (e === 0) return lrs;
    if ((e - 1 - tMax) % (2 * tMax) === 0) {
      return lrs.map((lr, i) => lr + (((this.baseLrs[i] as number) - etaMin) * (1 - Math.cos(Math.PI / tMax))) / 2);
    }
    const ratio = (1 + Math.cos((Math.PI * e) / tMax)) / (1 + Math.cos((Math.PI * (e - 1)) / tMax));
    return lrs.map((lr) => ratio * (lr - etaMin) + etaMin);
  }
}
