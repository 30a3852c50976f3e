import { checkInteger, checkOption, positive, show } from "../options.js";
import { type AnyOptimizer, LRScheduler, schedulerOptions } from "./scheduler.js";

// The multiplicative decays. Each multiplies the groups' current lrs at the epochs where
// it decays, as PyTorch's chainable `get_lr` does, so the values match PyTorch's exactly.

export interface StepLROptions {
  /** Epochs between two decays. */
  stepSize: number;
  gamma?: number;
}

/** Multiplies every lr by `gamma` every `stepSize` epochs, as `torch.optim.lr_scheduler.StepLR`. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, opts: StepLROptions) {
    const op = "StepLR";
    const o = schedulerOptions(op, optimizer, opts, { stepSize: undefined, gamma: 0.1 });
    const stepSize = checkInteger(op, "stepSize", o.stepSize, 1);
    const gamma = checkOption(op, "gamma", o.gamma, positive, "> 0");
    super(optimizer);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const lrs = this.currentLrs();
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return lrs;
    return lrs.map((lr) => lr * this.gamma);
  }
}

export interface MultiStepLROptions {
  /** Epochs at which to decay; one listed k times decays by gamma^k there. */
  milestones: number[];
  gamma?: number;
}

/** Multiplies every lr by `gamma` at each milestone epoch, as `torch.optim.lr_scheduler.MultiStepLR`. */
export class MultiStepLR extends LRScheduler {
  /** How often each milestone epoch is listed (PyTorch keeps a Counter). */
  readonly milestones: ReadonlyMap<number, number>;
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, opts: MultiStepLROptions) {
    const op = "MultiStepLR";
    const o = schedulerOptions(op, optimizer, opts, { milestones: undefined, gamma: 0.1 });
    if (!Array.isArray(o.milestones)) {
      throw new Error(`${op}: invalid milestones: ${show(o.milestones)} (must be an array of epochs)`);
    }
    const counts = new Map<number, number>();
    o.milestones.forEach((m, i) => {
      const epoch = checkInteger(op, `milestones[${i}]`, m, 0);
      counts.set(epoch, (counts.get(epoch) ?? 0) + 1);
    });
    const gamma = checkOption(op, "gamma", o.gamma, positive, "> 0");
    super(optimizer);
    this.milestones = counts;
    this.gamma = gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const lrs = this.currentLrs();
    const count = this.milestones.get(this.lastEpoch);
    if (count === undefined) return lrs;
    return lrs.map((lr) => lr * this.gamma ** count);
  }
}

export interface ExponentialLROptions {
  gamma: number;
}

/** Multiplies every lr by `gamma` each epoch, as `torch.optim.lr_scheduler.ExponentialLR`. */
export class ExponentialLR extends LRScheduler {
  readonly gamma: number;

  constructor(optimizer: AnyOptimizer, opts: ExponentialLROptions) {
    const op = "ExponentialLR";
    const o = schedulerOptions(op, optimizer, opts, { gamma: undefined });
    const gamma = checkOption(op, "gamma", o.gamma, positive, "> 0");
    super(optimizer);
    this.gamma = gamma;
    this.initialStep();
  }

  protected computeLr(): number[] {
    const lrs = this.currentLrs();
    return this.lastEpoch === 0 ? lrs : lrs.map((lr) => lr * this.gamma);
  }
}
