import { Tensor } from "../../tensor.js";
import { checkChoice, checkInteger, checkOption, nonNegative, show } from "../options.js";
import { type AnyOptimizer, groupsOf, perGroup, schedulerOptions } from "./scheduler.js";

export interface ReduceLROnPlateauOptions {
  /** Whether the metric should go down ("min", a loss) or up ("max", an accuracy). */
  mode?: "min" | "max";
  /** The lr is multiplied by this on a plateau. */
  factor?: number;
  /** Epochs without improvement tolerated before reducing. */
  patience?: number;
  /** Smallest change that counts as an improvement, relative or absolute per `thresholdMode`. */
  threshold?: number;
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction before counting bad epochs again. */
  cooldown?: number;
  /** Lower bound of the lr: one for every group, or one per group. */
  minLr?: number | number[];
  /** Reductions smaller than this are skipped. */
  eps?: number;
}

const defaults = {
  mode: "min",
  factor: 0.1,
  patience: 10,
  threshold: 1e-4,
  thresholdMode: "rel",
  cooldown: 0,
  minLr: 0,
  eps: 1e-8,
};

/**
 * Reduces the lrs when a metric stops improving, as
 * `torch.optim.lr_scheduler.ReduceLROnPlateau`: call `step(metric)` once per epoch.
 */
export class ReduceLROnPlateau {
  readonly optimizer: AnyOptimizer;
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly minLrs: readonly number[];
  readonly eps: number;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  #lastLr: number[];

  constructor(optimizer: AnyOptimizer, opts: ReduceLROnPlateauOptions = {}) {
    const op = "ReduceLROnPlateau";
    const o = schedulerOptions(op, optimizer, opts, defaults);
    this.optimizer = optimizer;
    this.mode = checkChoice(op, "mode", o.mode, ["min", "max"] as const);
    this.factor = checkOption(op, "factor", o.factor, (v) => v >= 0 && v < 1, "in [0, 1)");
    this.patience = checkInteger(op, "patience", o.patience, 0);
    this.threshold = checkOption(op, "threshold", o.threshold, nonNegative, ">= 0");
    this.thresholdMode = checkChoice(op, "thresholdMode", o.thresholdMode, ["rel", "abs"] as const);
    this.cooldown = checkInteger(op, "cooldown", o.cooldown, 0);
    const groups = groupsOf(optimizer);
    this.minLrs = perGroup(op, "minLr", o.minLr, groups.length, (name, v) =>
      checkOption(op, name, v, nonNegative, ">= 0"),
    );
    this.eps = checkOption(op, "eps", o.eps, nonNegative, ">= 0");
    this.best = this.mode === "min" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    // PyTorch has no last lr before the first step; the groups' lrs are the natural answer.
    this.#lastLr = groups.map((g) => g.lr);
  }

  /** Records the epoch's metric (a number or a one-element Tensor) and reduces the lrs after a plateau. */
  step(metric: number | Tensor): void {
    const current = metric instanceof Tensor ? metric.item() : metric;
    if (typeof current !== "number") {
      throw new Error(`ReduceLROnPlateau.step: metric must be a number or a one-element Tensor, got ${show(metric)}`);
    }
    this.lastEpoch++;
    if (this.#isBetter(current)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs in cooldown don't count
    }
    if (this.numBadEpochs > this.patience) {
      this.#reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.#lastLr = groupsOf(this.optimizer).map((g) => g.lr);
  }

  getLastLr(): number[] {
    return [...this.#lastLr];
  }

  #isBetter(a: number): boolean {
    const { best, threshold } = this;
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < best * (1 - threshold) : a < best - threshold;
    return this.thresholdMode === "rel" ? a > best * (threshold + 1) : a > best + threshold;
  }

  #reduceLr(): void {
    groupsOf(this.optimizer).forEach((group, i) => {
      const newLr = Math.max(group.lr * this.factor, this.minLrs[i] as number);
      if (group.lr - newLr > this.eps) group.lr = newLr;
    });
  }
}
