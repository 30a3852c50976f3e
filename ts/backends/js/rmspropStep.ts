import type { RmspropStepOptions } from "../../backend/backend.js";
import type { Floats } from "./floats.js";

/**
 * One update of `torch.optim.RMSprop` (its `_single_tensor_rmsprop`), in place, in
 * float64 arithmetic rounded to float32 only when stored.
 */
export function rmspropStep(
  param: Floats,
  grad: Floats,
  squareAvg: Floats,
  gradAvg: Floats,
  momentumBuf: Floats,
  o: RmspropStepOptions,
): void {
  for (let i = 0; i < param.length; i++) {
    const p = param[i] as number;
    let g = o.maximize ? -(grad[i] as number) : (grad[i] as number);
    if (o.weightDecay !== 0) g += o.weightDecay * p;
    const sq = o.alpha * (squareAvg[i] as number) + (1 - o.alpha) * g * g;
    squareAvg[i] = sq;
    let variance = sq;
    if (o.centered) {
      const ga = o.alpha * (gradAvg[i] as number) + (1 - o.alpha) * g;
      gradAvg[i] = ga;
      variance = sq - ga * ga;
    }
    const avg = Math.sqrt(variance) + o.eps;
    if (o.momentum > 0) {
      const buf = o.momentum * (momentumBuf[i] as number) + g / avg;
      momentumBuf[i] = buf;
      param[i] = p - o.lr * buf;
    } else {
      param[i] = p - (o.lr * g) / avg;
    }
  }
}
