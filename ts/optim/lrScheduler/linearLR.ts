import { checkInteger, checkOption } from "../options.js";
import { type AnyOptimizer, LRScheduler, schedulerOptions } from "./scheduler.js";

export interface LinearLROptions {
  /** Factor of the initial lr at epoch 0, in (0, 1]. */
  startFactor?: number;
  /** Factor reached after `totalIters` epochs, in [0, 1]. */
  endFactor?: number;
  totalIters?: number;
}

/**
 * Scales each lr linearly from `startFactor` to `endFactor` times its initial value
 * over `totalIters` epochs, as `torch.optim.lr_scheduler.LinearLR`.
 */
export class LinearLR extends LRScheduler {
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: AnyOptimizer, opts: LinearLROptions = {}) {
    const op = "LinearLR";
    const o = schedulerOptions(op, optimizer, opts, { startFactor: 1 / 3, endFactor: 1, totalIters: 5 });
    // A start factor of 0 would divide by zero at epoch 1, which PyTorch 1.13 lets through.
    const startFactor = checkOption(op, "startFactor", o.startFactor, (v) => v > 0 && v <= 1, "in (0, 1]");
    const endFactor = checkOption(op, "endFactor", o.endFactor, (v) => v >= 0 && v <= 1, "in [0, 1]");
    const totalIters = checkInteger(op, "totalIters", o.totalIters, 1);
    super(optimizer);
    this.startFactor = startFactor;
    this.endFactor = endFactor;
    this.totalIters = totalIters;
    this.initialStep();
  }

  // PyTorch's recursive form: the ratio of consecutive factors.
  protected computeLr(): number[] {
    const { startFactor: start, endFactor: end, totalIters: total, lastEpoch: e } = this;
    const lrs = this.currentLrs();
    if (e === 0) return lrs.map((lr) => lr * start);
    if (e > total) return lrs;
    return lrs.map((lr) => lr * (1 + (end - start) / (total * start + (e - 1) * (end - start))));
  }
}
