import type { AdamStepOptions } from "../../backend/backend.js";
import type { Floats } from "./floats.js";

/**
 * One update of `torch.optim.Adam` or `AdamW` (their `_single_tensor_adam(w)`), in place,
 * in float64 arithmetic rounded to float32 only when stored.
 */
export function adamStep(
  param: Floats,
  grad: Floats,
  expAvg: Floats,
  expAvgSq: Floats,
  maxExpAvgSq: Floats,
  o: AdamStepOptions,
): void {
  const stepSize = o.lr / (1 - o.beta1 ** o.step);
  const biasCorrection2Sqrt = Math.sqrt(1 - o.beta2 ** o.step);
  for (let i = 0; i < param.length; i++) {
    let p = param[i] as number;
    let g = o.maximize ? -(grad[i] as number) : (grad[i] as number);
    if (o.decoupledWeightDecay) p *= 1 - o.lr * o.weightDecay;
    else if (o.weightDecay !== 0) g += o.weightDecay * p;
    const m = o.beta1 * (expAvg[i] as number) + (1 - o.beta1) * g;
    let v = o.beta2 * (expAvgSq[i] as number) + (1 - o.beta2) * g * g;
    expAvg[i] = m;
    expAvgSq[i] = v;
    if (o.amsgrad) {
      // Math.max, like torch.maximum, gives NaN when either is NaN.
      v = Math.max(maxExpAvgSq[i] as number, v);
      maxExpAvgSq[i] = v;
    }
    param[i] = p - (stepSize * m) / (Math.sqrt(v) / biasCorrection2Sqrt + o.eps);
  }
}
