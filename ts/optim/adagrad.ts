import type { AdagradStepOptions } from "../backend/backend.js";
import { Optimizer, type OptimizerSpec, type Params } from "./optimizer.js";
import { checkFlag, checkOption, nonNegative, positive } from "./options.js";

/** The options of `torch.optim.Adagrad`, in camelCase. */
export interface AdagradOptions {
  lr: number;
  /** The learning rate at step t is lr / (1 + (t - 1)·lrDecay). */
  lrDecay: number;
  weightDecay: number;
  /** The value the sum of squared gradients starts from. */
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
}

const name = "Adagrad";

const spec: OptimizerSpec<AdagradOptions> = {
  name,
  defaults: { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false },
  resolve: (o) => ({
    lr: checkOption(name, "lr", o.lr, nonNegative, ">= 0"),
    lrDecay: checkOption(name, "lrDecay", o.lrDecay, nonNegative, ">= 0"),
    weightDecay: checkOption(name, "weightDecay", o.weightDecay, nonNegative, ">= 0"),
    initialAccumulatorValue: checkOption(
      name,
      "initialAccumulatorValue",
      o.initialAccumulatorValue,
      nonNegative,
      ">= 0",
    ),
    eps: checkOption(name, "eps", o.eps, positive, "> 0"),
    maximize: checkFlag(name, "maximize", o.maximize),
  }),
  countsSteps: true,
  buffers: ["sum"],
  requiredBuffers: () => ["sum"],
};

/** Adagrad, as `torch.optim.Adagrad`. */
export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Params<AdagradOptions>, opts: Partial<AdagradOptions> = {}) {
    super(params, opts, spec);
    // PyTorch makes the state of every parameter here, so a state dict taken before the
    // first step already holds step 0 and the initial sums.
    for (const group of this.paramGroups) {
      for (const p of group.params) this.buffer(p, this.stateOf(p), "sum", group.initialAccumulatorValue);
    }
  }

  step(): void {
    const op = "Adagrad.step";
    for (const group of this.paramGroups) {
      // A literal of fixed shape: spreading the group costs microseconds per step.
      const options: AdagradStepOptions = {
        lr: group.lr,
        lrDecay: group.lrDecay,
        weightDecay: group.weightDecay,
        eps: group.eps,
        maximize: group.maximize,
        step: 0,
      };
      for (const p of group.params) {
        const grad = p.gradInternal();
        if (grad === null) continue;
        const state = this.stateOf(p);
        const sum = this.buffer(p, state, "sum", group.initialAccumulatorValue).storageFor(op);
        options.step = state.step + 1;
        p.backend.adagradStep(p.storageFor(op), grad.storageFor(op), sum, options);
        state.step = options.step;
      }
    }
  }
}
