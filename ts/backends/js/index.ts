import type { Backend, Storage } from "../../backend/backend.js";
import { createSlabAllocator } from "../slab.js";
import { activationBackward } from "./activationBackward.js";
import { binary } from "./binary.js";
import { crossEntropy } from "./crossEntropy.js";
import { crossEntropyBackward } from "./crossEntropyBackward.js";
import { matmul } from "./matmul.js";
import { maxAxis } from "./maxAxis.js";
import { powScalar } from "./powScalar.js";
import { scale } from "./scale.js";
import { sgdStep } from "./sgdStep.js";
import { softmax } from "./softmax.js";
import { softmaxBackward } from "./softmaxBackward.js";
import { stridedCopy } from "./stridedCopy.js";
import { mean, sum } from "./sum.js";
import { sumAxis } from "./sumAxis.js";
import { sumRows } from "./sumRows.js";
import { unary } from "./unary.js";

// Storage handed out by this backend is always a Float32Array.
const f32 = (s: Storage): Float32Array => s as Float32Array;

/** The pure-TypeScript reference backend: readable loops, the answer the others are tested against. */
export function createJsBackend(): Backend {
  const alloc = createSlabAllocator();
  return {
    name: "js",
    simd: "none",
    alloc,
    fromFloat32Array: (data) => {
      const copy = alloc(data.length);
      copy.set(data);
      return copy;
    },
    toFloat32Array: (s) => Float32Array.from(f32(s)),
    fill: (s, value) => void f32(s).fill(value),
    copy: (src, dst) => f32(dst).set(f32(src)),
    free: () => {},
    matmul: (a, b, out, m, k, n, transA, transB) => matmul(f32(a), f32(b), f32(out), m, k, n, transA, transB),
    binary: (op, a, b, out) => binary(op, f32(a), f32(b), f32(out)),
    scale: (a, s, out) => scale(f32(a), s, f32(out)),
    sum: (a) => sum(f32(a)),
    mean: (a) => mean(f32(a)),
    sumRows: (a, out, rows, cols) => sumRows(f32(a), f32(out), rows, cols),
    sgdStep: (param, grad, buf, o) => sgdStep(f32(param), f32(grad), f32(buf), o),
    unary: (op, a, out) => unary(op, f32(a), f32(out)),
    powScalar: (a, exponent, out) => powScalar(f32(a), exponent, f32(out)),
    activationBackward: (op, saved, g, out) => activationBackward(op, f32(saved), f32(g), f32(out)),
    stridedCopy: (a, out, outShape, aStrides) => stridedCopy(f32(a), f32(out), outShape, aStrides),
    sumAxis: (a, out, outer, axisLen, inner) => sumAxis(f32(a), f32(out), outer, axisLen, inner),
    maxAxis: (a, values, indices, outer, axisLen, inner) =>
      maxAxis(f32(a), f32(values), f32(indices), outer, axisLen, inner),
    softmax: (a, out, outer, axisLen, inner, log) => softmax(f32(a), f32(out), outer, axisLen, inner, log),
    softmaxBackward: (y, g, out, outer, axisLen, inner, log) =>
      softmaxBackward(f32(y), f32(g), f32(out), outer, axisLen, inner, log),
    crossEntropy: (logits, targets, losses, n, c) => crossEntropy(f32(logits), f32(targets), f32(losses), n, c),
    crossEntropyBackward: (logits, targets, g, out, n, c) =>
      crossEntropyBackward(f32(logits), f32(targets), f32(g), f32(out), n, c),
  };
}
