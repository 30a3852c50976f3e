import type { AdamStepOptions } from "../backend/backend.js";
import { Optimizer, type OptimizerSpec, type Params } from "./optimizer.js";
import { checkFlag, checkOption, nonNegative, positive, show } from "./options.js";

/** The options of `torch.optim.Adam` and `AdamW`, in camelCase. */
export interface AdamOptions {
  lr: number;
  /** Decay rates of the first and second moment estimates. */
  betas: [number, number];
  eps: number;
  /** Adam: L2 penalty added to the gradient. AdamW: decoupled decay of the parameter by lr·weightDecay. */
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

const inUnitInterval = (v: number): boolean => v >= 0 && v < 1;

function checkBetas(op: string, value: unknown): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new Error(`${op}: invalid betas: ${show(value)} (must be two numbers in [0, 1))`);
  }
  return [
    checkOption(op, "betas[0]", value[0], inUnitInterval, "in [0, 1)"),
    checkOption(op, "betas[1]", value[1], inUnitInterval, "in [0, 1)"),
  ];
}

/** Adam's and AdamW's spec: they differ only in name and default weight decay. */
export function adamSpec(name: string, weightDecay: number): OptimizerSpec<AdamOptions> {
  return {
    name,
    defaults: { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay, amsgrad: false, maximize: false },
    resolve: (o) => ({
      lr: checkOption(name, "lr", o.lr, nonNegative, ">= 0"),
      betas: checkBetas(name, o.betas),
      eps: checkOption(name, "eps", o.eps, positive, "> 0"),
      weightDecay: checkOption(name, "weightDecay", o.weightDecay, nonNegative, ">= 0"),
      amsgrad: checkFlag(name, "amsgrad", o.amsgrad),
      maximize: checkFlag(name, "maximize", o.maximize),
    }),
    countsSteps: true,
    buffers: ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"],
    requiredBuffers: (o) => (o.amsgrad ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"]),
  };
}

/** Adam and AdamW: one state layout and one kernel, with the weight decay coupled or decoupled. */
export abstract class AdamFamily extends Optimizer<AdamOptions> {
  readonly #decoupled: boolean;

  protected constructor(
    params: Params<AdamOptions>,
    opts: Partial<AdamOptions>,
    spec: OptimizerSpec<AdamOptions>,
    decoupled: boolean,
  ) {
    super(params, opts, spec);
    this.#decoupled = decoupled;
  }

  step(): void {
    const op = `${this.spec.name}.step`;
    for (const group of this.paramGroups) {
      const options: AdamStepOptions = {
        lr: group.lr,
        beta1: group.betas[0],
        beta2: group.betas[1],
        eps: group.eps,
        weightDecay: group.weightDecay,
        amsgrad: group.amsgrad,
        maximize: group.maximize,
        decoupledWeightDecay: this.#decoupled,
        step: 0,
      };
      for (const p of group.params) {
        const grad = p.gradInternal();
        if (grad === null) continue;
        const state = this.stateOf(p);
        const expAvg = this.buffer(p, state, "exp_avg").storageFor(op);
        const expAvgSq = this.buffer(p, state, "exp_avg_sq").storageFor(op);
        const maxExpAvgSq = this.storageIf(group.amsgrad, p, state, "max_exp_avg_sq");
        options.step = state.step + 1;
        p.backend.adamStep(p.storageFor(op), grad.storageFor(op), expAvg, expAvgSq, maxExpAvgSq, options);
        state.step = options.step;
      }
    }
  }
}

/** Adam, as `torch.optim.Adam`: weight decay is an L2 term added to the gradient. */
export class Adam extends AdamFamily {
  constructor(params: Params<AdamOptions>, opts: Partial<AdamOptions> = {}) {
    super(params, opts, adamSpec("Adam", 0), false);
  }
}
