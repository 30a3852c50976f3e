import { anyNumber, checkChoice, checkFlag, checkInteger, checkOption, positive } from "../options.js";
import { type AnyOptimizer, groupsOf, LRScheduler, perGroup, schedulerOptions, snapshot } from "./scheduler.js";

export interface OneCycleLROptions {
  /** Peak lr: one for every group, or one per group. */
  maxLr: number | number[];
  /** Steps in the cycle; or give `epochs` and `stepsPerEpoch`. */
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  /** Fraction of the cycle spent raising the lr. */
  pctStart?: number;
  annealStrategy?: "cos" | "linear";
  /** Cycle momentum (SGD, RMSprop) or beta1 (Adam, AdamW) inversely to the lr. */
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  /** The initial lr is maxLr / divFactor. */
  divFactor?: number;
  /** The final lr is the initial lr / finalDivFactor. */
  finalDivFactor?: number;
  /** Anneal back to the initial lr before annihilating, in three phases instead of two. */
  threePhase?: boolean;
}

type GroupKey = "initialLr" | "maxLr" | "minLr" | "maxMomentum" | "baseMomentum";

interface Phase {
  /** The step where the phase ends (fractional, as PyTorch computes it). */
  endStep: number;
  startLr: GroupKey;
  endLr: GroupKey;
  startMomentum: GroupKey;
  endMomentum: GroupKey;
}

const defaults = {
  maxLr: undefined,
  totalSteps: undefined,
  epochs: undefined,
  stepsPerEpoch: undefined,
  pctStart: 0.3,
  annealStrategy: "cos",
  cycleMomentum: true,
  baseMomentum: 0.85,
  maxMomentum: 0.95,
  divFactor: 25,
  finalDivFactor: 1e4,
  threePhase: false,
};

const anneal = {
  cos: (start: number, end: number, pct: number): number => end + ((start - end) / 2) * (Math.cos(Math.PI * pct) + 1),
  linear: (start: number, end: number, pct: number): number => (end - start) * pct + start,
};

/**
 * The 1cycle policy, as `torch.optim.lr_scheduler.OneCycleLR`: the lr rises from
 * maxLr/divFactor to maxLr, then falls to far below the start, while the momentum moves
 * the other way. Call `step()` after each batch, at most `totalSteps - 1` times.
 */
export class OneCycleLR extends LRScheduler {
  readonly totalSteps: number;
  readonly annealStrategy: "cos" | "linear";
  readonly cycleMomentum: boolean;
  /** Whether the momentum cycled is Adam's beta1 rather than a `momentum` option. */
  readonly useBeta1: boolean;
  readonly phases: readonly Phase[];

  constructor(optimizer: AnyOptimizer, opts: OneCycleLROptions) {
    const op = "OneCycleLR";
    const o = schedulerOptions(op, optimizer, opts, defaults);
    let totalSteps: number;
    if (o.totalSteps !== undefined) {
      totalSteps = checkInteger(op, "totalSteps", o.totalSteps, 1);
    } else if (o.epochs === undefined && o.stepsPerEpoch === undefined) {
      throw new Error(`${op}: give either totalSteps or both epochs and stepsPerEpoch`);
    } else {
      totalSteps = checkInteger(op, "epochs", o.epochs, 1) * checkInteger(op, "stepsPerEpoch", o.stepsPerEpoch, 1);
    }
    const pctStart = checkOption(op, "pctStart", o.pctStart, (v) => v >= 0 && v <= 1, "in [0, 1]");
    const annealStrategy = checkChoice(op, "annealStrategy", o.annealStrategy, ["cos", "linear"] as const);
    const cycleMomentum = checkFlag(op, "cycleMomentum", o.cycleMomentum);
    const threePhase = checkFlag(op, "threePhase", o.threePhase);
    const divFactor = checkOption(op, "divFactor", o.divFactor, positive, "> 0");
    const finalDivFactor = checkOption(op, "finalDivFactor", o.finalDivFactor, positive, "> 0");
    const groups = groupsOf(optimizer);
    const number = (rule: (v: number) => boolean, text: string) => (name: string, v: unknown) =>
      checkOption(op, name, v, rule, text);
    const maxLrs = perGroup(op, "maxLr", o.maxLr, groups.length, number(positive, "> 0"));
    const optimizerDefaults = optimizer.defaults as Record<string, unknown>;
    const useBeta1 = "betas" in optimizerDefaults;
    let maxMomenta: number[] = [];
    let baseMomenta: number[] = [];
    if (cycleMomentum) {
      if (!useBeta1 && !("momentum" in optimizerDefaults)) {
        throw new Error(
          `${op}: cycleMomentum needs an optimizer with momentum or betas, and ${optimizer.constructor.name} has neither; pass cycleMomentum: false`,
        );
      }
      maxMomenta = perGroup(op, "maxMomentum", o.maxMomentum, groups.length, number(anyNumber, "a finite number"));
      baseMomenta = perGroup(op, "baseMomentum", o.baseMomentum, groups.length, number(anyNumber, "a finite number"));
    }

    // Everything is valid: from here on the groups change, as PyTorch changes them.
    const before = snapshot(optimizer);
    groups.forEach((group, i) => {
      group.initialLr = (maxLrs[i] as number) / divFactor;
      group.maxLr = maxLrs[i] as number;
      group.minLr = group.initialLr / finalDivFactor;
      if (cycleMomentum) {
        const top = maxMomenta[i] as number;
        if (useBeta1) group.betas = [top, (group.betas as [number, number])[1]];
        else group.momentum = top;
        group.maxMomentum = top;
        group.baseMomentum = baseMomenta[i] as number;
      }
    });
    super(optimizer, before);
    this.totalSteps = totalSteps;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.useBeta1 = useBeta1;
    this.phases = threePhase
      ? [
          phase(pctStart * totalSteps - 1, "initialLr", "maxLr", "maxMomentum", "baseMomentum"),
          phase(2 * pctStart * totalSteps - 2, "maxLr", "initialLr", "baseMomentum", "maxMomentum"),
          phase(totalSteps - 1, "initialLr", "minLr", "maxMomentum", "maxMomentum"),
        ]
      : [
          phase(pctStart * totalSteps - 1, "initialLr", "maxLr", "maxMomentum", "baseMomentum"),
          phase(totalSteps - 1, "maxLr", "minLr", "baseMomentum", "maxMomentum"),
        ];
    this.initialStep();
  }

  protected computeLr(): number[] {
    const step = this.lastEpoch;
    if (step > this.totalSteps) {
      throw new Error(
        `OneCycleLR: tried to step ${step + 1} times, but the cycle has totalSteps = ${this.totalSteps}; make a new scheduler to continue`,
      );
    }
    const f = anneal[this.annealStrategy];
    // The phase holding `step`: the first that ends at or after it, else the last.
    let i = 0;
    while (i < this.phases.length - 1 && step > (this.phases[i] as Phase).endStep) i++;
    const p = this.phases[i] as Phase;
    const start = i === 0 ? 0 : (this.phases[i - 1] as Phase).endStep;
    const pct = (step - start) / (p.endStep - start);
    return groupsOf(this.optimizer).map((group) => {
      const value = (key: GroupKey): number => group[key] as number;
      if (this.cycleMomentum) {
        const momentum = f(value(p.startMomentum), value(p.endMomentum), pct);
        if (this.useBeta1) group.betas = [momentum, (group.betas as [number, number])[1]];
        else group.momentum = momentum;
      }
      return f(value(p.startLr), value(p.endLr), pct);
    });
  }
}

function phase(
  endStep: number,
  startLr: GroupKey,
  endLr: GroupKey,
  startMomentum: GroupKey,
  endMomentum: GroupKey,
): Phase {
  return { endStep, startLr, endLr, startMomentum, endMomentum };
}
