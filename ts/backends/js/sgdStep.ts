import type { SgdStepOptions } from "../../backend/backend.js";
import type { Floats } from "./floats.js";

/** One update of `torch.optim.SGD` (its `_single_tensor_sgd`), in place. */
export function sgdStep(param: Floats, grad: Floats, momentumBuf: Floats, o: SgdStepOptions): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i] as number;
    let d = o.maximize ? -(grad[i] as number) : (grad[i] as number);
    if (o.weightDecay !== 0) d += o.weightDecay * p;
    if (o.momentum !== 0) {
      const buf = o.firstStep ? d : o.momentum * (momentumBuf[i] as number) + (1 - o.dampening) * d;
      momentumBuf[i] = buf;
      d = o.nesterov ? d + o.momentum * buf : buf;
    }
    param[i] = p - o.lr * d;
  }
}
