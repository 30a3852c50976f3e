import type { SgdStepOptions } from "../../backend/backend.js";
import type { Floats } from "./floats.js";

/** Throws unless the arrays fit one update, in the native addon's words: it runs this kernel on small ones. */
function checkSgd(param: Floats, grad: Floats, momentumBuf: Floats, momentum: number): void {
  if (grad.length !== param.length) {
    throw new Error(`sgdStep: grad has ${grad.length} elements but param has ${param.length}`);
  }
  if (momentum === 0) return;
  if (momentumBuf.length !== param.length) {
    throw new Error(
      `sgdStep: momentumBuf has ${momentumBuf.length} elements but param has ${param.length} (momentum = ${momentum})`,
    );
  }
  const overlap =
    momentumBuf.buffer === param.buffer &&
    param.length > 0 &&
    momentumBuf.byteOffset < param.byteOffset + param.byteLength &&
    param.byteOffset < momentumBuf.byteOffset + momentumBuf.byteLength;
  if (overlap) throw new Error("sgdStep: param and momentumBuf share memory");
}

/** One update of `torch.optim.SGD` (its `_single_tensor_sgd`), in place. */
export function sgdStep(param: Floats, grad: Floats, momentumBuf: Floats, o: SgdStepOptions): void {
  checkSgd(param, grad, momentumBuf, o.momentum);
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
