import type { SgdStepOptions } from "../backend/backend.js";
import { Tensor } from "../tensor.js";
import { checkFlag, checkOption, Optimizer, type Params } from "./optimizer.js";

/** The options of `torch.optim.SGD`, in camelCase; the kernel takes the same ones per step. */
export type SGDOptions = Omit<SgdStepOptions, "firstStep">;

const defaults: SGDOptions = { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };

function resolve(o: SGDOptions): SGDOptions {
  const op = "SGD";
  const nonNegative = (v: number): boolean => v >= 0;
  const checked: SGDOptions = {
    lr: checkOption(op, "lr", o.lr, nonNegative, ">= 0"),
    momentum: checkOption(op, "momentum", o.momentum, nonNegative, ">= 0"),
    dampening: checkOption(op, "dampening", o.dampening, () => true, "a finite number"),
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
}

/** Stochastic gradient descent with momentum, as `torch.optim.SGD`; one fused kernel call per parameter. */
export class SGD extends Optimizer<SGDOptions> {
  readonly #momentumBuffers = new Map<Tensor, Tensor>();

  constructor(params: Params<SGDOptions>, opts: Partial<SGDOptions> = {}) {
    super("SGD", params, defaults, opts, resolve);
  }

  step(): void {
    const op = "SGD.step";
    for (const group of this.paramGroups) {
      const options = { ...group, firstStep: false };
      for (const p of group.params) {
        const grad = p.grad;
        if (grad === null) continue;
        // The buffer is made on the first step with momentum, as PyTorch's starts as None;
        // without momentum an empty one stands in, since the kernel then never reads it.
        const needsBuffer = group.momentum !== 0;
        let buffer = this.#momentumBuffers.get(p);
        const firstStep = needsBuffer && (buffer === undefined || buffer.numel() !== p.numel());
        if (buffer === undefined || firstStep) {
          buffer?.dispose();
          buffer = Tensor.zeros(p.backend, needsBuffer ? p.shape : [0]);
          this.#momentumBuffers.set(p, buffer);
        }
        options.firstStep = firstStep;
        p.backend.sgdStep(p.storageFor(op), grad.storageFor(op), buffer.storageFor(op), options);
      }
    }
  }
}
