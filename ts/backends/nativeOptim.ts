import type { Backend, Storage } from "../backend/backend.js";
import { adagradNegClr, adamFactors, rmspropOneMinusAlpha } from "./optimFactors.js";

/**
 * The optimizer exports of the Node addon (crates/node/src/optim.rs). Scalars are the
 * float64 factors of optimFactors.ts, flat rather than an object: each object property
 * costs the addon a lookup. A buffer the options leave unused is not read.
 */
export interface OptimAddon {
  adamStep(
    param: Float32Array,
    grad: Float32Array,
    expAvg: Float32Array,
    expAvgSq: Float32Array,
    maxExpAvgSq: Float32Array,
    beta1: number,
    beta2: number,
    oneMinusBeta1: number,
    oneMinusBeta2: number,
    eps: number,
    weightDecay: number,
    paramScale: number,
    negStepSize: number,
    biasCorrection2Sqrt: number,
    amsgrad: boolean,
    maximize: boolean,
  ): void;
  adagradStep(
    param: Float32Array,
    grad: Float32Array,
    stateSum: Float32Array,
    negClr: number,
    weightDecay: number,
    eps: number,
    maximize: boolean,
  ): void;
  rmspropStep(
    param: Float32Array,
    grad: Float32Array,
    squareAvg: Float32Array,
    gradAvg: Float32Array,
    momentumBuf: Float32Array,
    alpha: number,
    oneMinusAlpha: number,
    eps: number,
    weightDecay: number,
    momentum: number,
    negLr: number,
    centered: boolean,
    maximize: boolean,
  ): void;
}

export const optimAddonFunctions = [
  "adamStep",
  "adagradStep",
  "rmspropStep",
] as const satisfies readonly (keyof OptimAddon)[];

// Storage made by the native backend is always a Float32Array.
const f32 = (s: Storage): Float32Array => s as Float32Array;

/** The native backend's optimizer kernels; the addon checks every length and overlap. */
export function nativeOptimKernels(addon: OptimAddon): Pick<Backend, "adamStep" | "adagradStep" | "rmspropStep"> {
  return {
    adamStep(param, grad, expAvg, expAvgSq, maxExpAvgSq, o) {
      const f = adamFactors(o);
      addon.adamStep(
        f32(param),
        f32(grad),
        f32(expAvg),
        f32(expAvgSq),
        f32(maxExpAvgSq),
        o.beta1,
        o.beta2,
        f.oneMinusBeta1,
        f.oneMinusBeta2,
        o.eps,
        f.weightDecay,
        f.paramScale,
        f.negStepSize,
        f.biasCorrection2Sqrt,
        o.amsgrad,
        o.maximize,
      );
    },
    adagradStep(param, grad, stateSum, o) {
      addon.adagradStep(f32(param), f32(grad), f32(stateSum), adagradNegClr(o), o.weightDecay, o.eps, o.maximize);
    },
    rmspropStep(param, grad, squareAvg, gradAvg, momentumBuf, o) {
      addon.rmspropStep(
        f32(param),
        f32(grad),
        f32(squareAvg),
        f32(gradAvg),
        f32(momentumBuf),
        o.alpha,
        rmspropOneMinusAlpha(o),
        o.eps,
        o.weightDecay,
        o.momentum,
        -o.lr,
        o.centered,
        o.maximize,
      );
    },
  };
}
