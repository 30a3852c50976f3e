import type { AdagradStepOptions } from "../../backend/backend.js";
import type { Floats } from "./floats.js";

/**
 * One update of `torch.optim.Adagrad` (its `_single_tensor_adagrad`), in place, in
 * float64 arithmetic rounded to float32 only when stored.
 */
export function adagradStep(param: Floats, grad: Floats, stateSum: Floats, o: AdagradStepOptions): void {
  const clr = o.lr / (1 + (o.step - 1) * o.lrDecay);
  for (let i = 0; i < param.length; i++) {
    const p = param[i] as number;
    let g = o.maximize ? -(grad[i] as number) : (grad[i] as number);
    if (o.weightDecay !== 0) g += o.weightDecay * p;
    const sum = (stateSum[i] as number) + g * g;
    stateSum[i] = sum;
    param[i] = p - (clr * g) / (Math.sqrt(sum) + o.eps);
  }
}
