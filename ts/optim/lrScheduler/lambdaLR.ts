import { show } from "../options.js";
import { type AnyOptimizer, groupsOf, LRScheduler, schedulerOptions } from "./scheduler.js";

/** A factor of the initial lr for an epoch. */
export type LrLambda = (epoch: number) => number;

export interface LambdaLROptions {
  /** One function for every group, or one per group. */
  lrLambda: LrLambda | LrLambda[];
}

/** Sets each lr to its initial value times `lrLambda(epoch)`, as `torch.optim.lr_scheduler.LambdaLR`. */
export class LambdaLR extends LRScheduler {
  readonly lrLambdas: readonly LrLambda[];

  constructor(optimizer: AnyOptimizer, opts: LambdaLROptions) {
    const op = "LambdaLR";
    const o = schedulerOptions(op, optimizer, opts, { lrLambda: undefined });
    const groups = groupsOf(optimizer).length;
    const given = o.lrLambda;
    const lambdas = Array.isArray(given) ? given : new Array<unknown>(groups).fill(given);
    if (lambdas.length !== groups) {
      throw new Error(`${op}: expected ${groups} lrLambdas, one per parameter group, got ${lambdas.length}`);
    }
    lambdas.forEach((f, i) => {
      if (typeof f !== "function") {
        const name = Array.isArray(given) ? `lrLambda[${i}]` : "lrLambda";
        throw new Error(`${op}: invalid ${name}: ${show(f)} (must be a function of the epoch)`);
      }
    });
    super(optimizer);
    this.lrLambdas = lambdas as LrLambda[];
    this.initialStep();
  }

  protected computeLr(): number[] {
    return this.baseLrs.map((base, i) => {
      const factor = (this.lrLambdas[i] as LrLambda)(this.lastEpoch);
      if (typeof factor !== "number" || !Number.isFinite(factor)) {
        throw new Error(
          `LambdaLR: lrLambda returned ${show(factor)} for epoch ${this.lastEpoch} (must be a finite number)`,
        );
      }
      return base * factor;
    });
  }
}
