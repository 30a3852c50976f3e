import type { SgdStepOptions } from "../backend/backend.js";
import { emptyStorage, Optimizer, type OptimizerSpec, type Params } from "./optimizer.js";
import { anyNumber, checkFlag, checkOption, nonNegative } from "./options.js";

/** The options of `torch.optim.SGD`, in camelCase; the kernel takes the same ones per step. */
export type SGDOptions = Omit<SgdStepOptions, "firstStep">;

const spec: OptimizerSpec<SGDOptions> = {
  name: "SGD",
  defaults: { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  resolve(o) {
    const op = "SGD";
    const checked: SGDOptions = {
      lr: checkOption(op, "lr", o.lr, nonNegative, ">= 0"),
      momentum: checkOption(op, "momentum", o.momentum, nonNegative, ">= 0"),
      dampening: checkOption(op, "dampening", o.dampening, anyNumber, "a finite number"),
      weightDecay: checkOption(op, "weightDecay", o.weightDecay, nonNegative, ">= 0"),
      nesterov: checkFlag(op, "nesterov", o.nesterov),
      maximize: checkFlag(op, "maximize", o.maximize),
    };
    if (checked.nesterov && (checked.momentum <= 0 || checked.dampening !== 0)) {
      throw new Error(
        `${op}: nesterov momentum requires a momentum > 0 and zero dampening, got momentum ${checked.momentum} and dampening ${checked.dampening}`,
      );
    }
    return checked;
  },
  countsSteps: false,
  // Only with momentum, and made on the first step with it, as PyTorch's starts as None.
  buffers: ["momentum_buffer"],
  requiredBuffers: () => [],
};

/** Stochastic gradient descent with momentum, as `torch.optim.SGD`; one fused kernel call per parameter. */
export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Params<SGDOptions>, opts: Partial<SGDOptions> = {}) {
    super(params, opts, spec);
  }

  step(): void {
    const op = "SGD.step";
    for (const group of this.paramGroups) {
      // A literal of fixed shape: spreading the group costs microseconds per step.
      const options: SgdStepOptions = {
        lr: group.lr,
        momentum: group.momentum,
        dampening: group.dampening,
        weightDecay: group.weightDecay,
        nesterov: group.nesterov,
        maximize: group.maximize,
        firstStep: false,
      };
      for (const p of group.params) {
        const grad = p.gradInternal();
        if (grad === null) continue;
        const withMomentum = group.momentum !== 0;
        const state = withMomentum ? this.stateOf(p) : undefined;
        options.firstStep = state !== undefined && !state.buffers.has("momentum_buffer");
        const buffer =
          state === undefined ? emptyStorage(p.backend) : this.buffer(p, state, "momentum_buffer").storageFor(op);
        p.backend.sgdStep(p.storageFor(op), grad.storageFor(op), buffer, options);
      }
    }
  }
}
