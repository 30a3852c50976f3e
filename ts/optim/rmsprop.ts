import type { RmspropStepOptions } from "../backend/backend.js";
import { Optimizer, type OptimizerSpec, type Params } from "./optimizer.js";
import { checkFlag, checkOption, nonNegative, positive } from "./options.js";

/** The options of `torch.optim.RMSprop`, in camelCase. */
export type RMSpropOptions = RmspropStepOptions;

const name = "RMSprop";

const spec: OptimizerSpec<RMSpropOptions> = {
  name,
  defaults: { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false },
  resolve: (o) => ({
    lr: checkOption(name, "lr", o.lr, nonNegative, ">= 0"),
    alpha: checkOption(name, "alpha", o.alpha, nonNegative, ">= 0"),
    eps: checkOption(name, "eps", o.eps, positive, "> 0"),
    weightDecay: checkOption(name, "weightDecay", o.weightDecay, nonNegative, ">= 0"),
    momentum: checkOption(name, "momentum", o.momentum, nonNegative, ">= 0"),
    centered: checkFlag(name, "centered", o.centered),
    maximize: checkFlag(name, "maximize", o.maximize),
  }),
  countsSteps: true,
  buffers: ["square_avg", "momentum_buffer", "grad_avg"],
  requiredBuffers: (o) => [
    "square_avg",
    ...(o.momentum > 0 ? ["momentum_buffer"] : []),
    ...(o.centered ? ["grad_avg"] : []),
  ],
};

/** RMSprop, as `torch.optim.RMSprop`, optionally centered and with momentum. */
export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Params<RMSpropOptions>, opts: Partial<RMSpropOptions> = {}) {
    super(params, opts, spec);
  }

  step(): void {
    const op = "RMSprop.step";
    for (const group of this.paramGroups) {
      for (const p of group.params) {
        const grad = p.gradInternal();
        if (grad === null) continue;
        const state = this.stateOf(p);
        const squareAvg = this.buffer(p, state, "square_avg").storageFor(op);
        const momentumBuf = this.storageIf(group.momentum > 0, p, state, "momentum_buffer");
        const gradAvg = this.storageIf(group.centered, p, state, "grad_avg");
        p.backend.rmspropStep(p.storageFor(op), grad.storageFor(op), squareAvg, gradAvg, momentumBuf, group);
        state.step += 1;
      }
    }
  }
}
