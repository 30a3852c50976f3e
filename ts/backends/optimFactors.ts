import type { AdagradStepOptions, AdamStepOptions, RmspropStepOptions } from "../backend/backend.js";

// The scalars of each fused update that PyTorch computes as Python floats: computed
// here in float64, once per parameter tensor, and rounded to float32 by the kernel's
// binding, as PyTorch rounds a Python float that meets a float32 tensor. The native
// and wasm backends share them, so both run the kernel on identical factors.

/** Adam's and AdamW's per-step scalars (`_single_tensor_adam(w)`). */
export interface AdamFactors {
  oneMinusBeta1: number;
  oneMinusBeta2: number;
  /** Adam's L2 term on the gradient; 0 for AdamW. */
  weightDecay: number;
  /** AdamW's `1 - lr·weightDecay`; 1 for Adam. */
  paramScale: number;
  /** `-lr / (1 - beta1^step)`. */
  negStepSize: number;
  /** `sqrt(1 - beta2^step)`. */
  biasCorrection2Sqrt: number;
}

export function adamFactors(o: AdamStepOptions): AdamFactors {
  return {
    oneMinusBeta1: 1 - o.beta1,
    oneMinusBeta2: 1 - o.beta2,
    weightDecay: o.decoupledWeightDecay ? 0 : o.weightDecay,
    paramScale: o.decoupledWeightDecay ? 1 - o.lr * o.weightDecay : 1,
    negStepSize: -(o.lr / (1 - o.beta1 ** o.step)),
    biasCorrection2Sqrt: Math.sqrt(1 - o.beta2 ** o.step),
  };
}

/** Adagrad's decayed learning rate `clr`, negated. */
export function adagradNegClr(o: AdagradStepOptions): number {
  return -(o.lr / (1 + (o.step - 1) * o.lrDecay));
}

/** RMSprop's `1 - alpha`. */
export function rmspropOneMinusAlpha(o: RmspropStepOptions): number {
  return 1 - o.alpha;
}
