import type { Backend, Storage } from "../backend/backend.js";
import { activationCodes, codeOf, unaryCodes } from "./kernelCodes.js";

/**
 * The Node addon's exports for elementwise functions, strided copies, reductions over
 * an axis, softmax and cross-entropy (crates/node/src/{unary,strided,axis}.rs, and
 * `div` beside the other binary ops). Ops cross as the codes of kernelCodes.ts. Every
 * call checks its arguments, cross-entropy targets included, and throws an Error.
 */
export interface NnAddon {
  div(a: Float32Array, b: Float32Array, out: Float32Array): void;
  unary(op: number, a: Float32Array, out: Float32Array): void;
  powScalar(a: Float32Array, exponent: number, out: Float32Array): void;
  activationBackward(op: number, saved: Float32Array, gradOut: Float32Array, out: Float32Array): void;
  stridedCopy(a: Float32Array, out: Float32Array, outShape: readonly number[], aStrides: readonly number[]): void;
  sumAxis(a: Float32Array, out: Float32Array, outer: number, axisLen: number, inner: number): void;
  maxAxis(
    a: Float32Array,
    values: Float32Array,
    indices: Float32Array,
    outer: number,
    axisLen: number,
    inner: number,
  ): void;
  softmax(a: Float32Array, out: Float32Array, outer: number, axisLen: number, inner: number, log: boolean): void;
  softmaxBackward(
    y: Float32Array,
    gradOut: Float32Array,
    out: Float32Array,
    outer: number,
    axisLen: number,
    inner: number,
    log: boolean,
  ): void;
  crossEntropy(logits: Float32Array, targets: Float32Array, losses: Float32Array, n: number, c: number): void;
  squaredError(a: Float32Array, b: Float32Array, diff: Float32Array, scale: number): number;
  crossEntropyBackward(
    logits: Float32Array,
    targets: Float32Array,
    gradLosses: Float32Array,
    out: Float32Array,
    n: number,
    c: number,
  ): void;
}

export const nnAddonFunctions = [
  "div",
  "unary",
  "powScalar",
  "activationBackward",
  "stridedCopy",
  "sumAxis",
  "maxAxis",
  "softmax",
  "softmaxBackward",
  "crossEntropy",
  "crossEntropyBackward",
  "squaredError",
] as const satisfies readonly (keyof NnAddon)[];

/** The Backend methods these exports serve (`binary("div")` reaches `div` by name). */
export type NnKernels = Pick<
  Backend,
  | "unary"
  | "powScalar"
  | "activationBackward"
  | "stridedCopy"
  | "sumAxis"
  | "maxAxis"
  | "softmax"
  | "softmaxBackward"
  | "crossEntropy"
  | "crossEntropyBackward"
  | "squaredError"
>;

// Storage made by the native backend is always a Float32Array.
const f32 = (s: Storage): Float32Array => s as Float32Array;

export function nativeNnKernels(addon: NnAddon): NnKernels {
  return {
    unary: (op, a, out) => addon.unary(codeOf(unaryCodes, "native", "unary", op), f32(a), f32(out)),
    powScalar: (a, exponent, out) => addon.powScalar(f32(a), exponent, f32(out)),
    activationBackward: (op, saved, gradOut, out) =>
      addon.activationBackward(
        codeOf(activationCodes, "native", "activationBackward", op),
        f32(saved),
        f32(gradOut),
        f32(out),
      ),
    stridedCopy: (a, out, outShape, aStrides) => addon.stridedCopy(f32(a), f32(out), outShape, aStrides),
    sumAxis: (a, out, outer, axisLen, inner) => addon.sumAxis(f32(a), f32(out), outer, axisLen, inner),
    maxAxis: (a, values, indices, outer, axisLen, inner) =>
      addon.maxAxis(f32(a), f32(values), f32(indices), outer, axisLen, inner),
    softmax: (a, out, outer, axisLen, inner, log) => addon.softmax(f32(a), f32(out), outer, axisLen, inner, log),
    softmaxBackward: (y, gradOut, out, outer, axisLen, inner, log) =>
      addon.softmaxBackward(f32(y), f32(gradOut), f32(out), outer, axisLen, inner, log),
    crossEntropy: (logits, targets, losses, n, c) => addon.crossEntropy(f32(logits), f32(targets), f32(losses), n, c),
    crossEntropyBackward: (logits, targets, gradLosses, out, n, c) =>
      addon.crossEntropyBackward(f32(logits), f32(targets), f32(gradLosses), f32(out), n, c),
    squaredError: (a, b, diff, scale) => addon.squaredError(f32(a), f32(b), f32(diff), scale),
  };
}
