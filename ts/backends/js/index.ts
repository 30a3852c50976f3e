import type { Backend, Storage } from "../../backend/backend.js";
import { linearBackwardOf } from "../linearBackward.js";
import { createSlabAllocator, fillFloats } from "../slab.js";
import { activationBackward } from "./activationBackward.js";
import { adagradStep } from "./adagradStep.js";
import { adamStep } from "./adamStep.js";
import { binary } from "./binary.js";
import { crossEntropy } from "./crossEntropy.js";
import { crossEntropyBackward } from "./crossEntropyBackward.js";
import type { Floats } from "./floats.js";
import { linearForward, matmul } from "./matmul.js";
import { maxAxis } from "./maxAxis.js";
import { powScalar } from "./powScalar.js";
import { rmspropStep } from "./rmspropStep.js";
import { scale } from "./scale.js";
import { sgdStep } from "./sgdStep.js";
import { softmax } from "./softmax.js";
import { softmaxBackward } from "./softmaxBackward.js";
import { squaredError } from "./squaredError.js";
import { stridedCopy } from "./stridedCopy.js";
import { mean, sum } from "./sum.js";
import { sumAxis } from "./sumAxis.js";
import { sumRows } from "./sumRows.js";
import { unary } from "./unary.js";

// Storage handed out by this backend is always one of its typed arrays.
const f32 = (s: Storage): Floats => s as Floats;

/** The precision a js backend stores: float32 as every backend, or float64 for gradcheck. */
export type Precision = "float32" | "float64";

/** Every Backend method that computes: the rest make, read and free storages. */
export type Kernels = Omit<
  Backend,
  | "name"
  | "simd"
  | "simdSkipped"
  | "threads"
  | "setThreads"
  | "alloc"
  | "allocUnset"
  | "fromFloat32Array"
  | "toFloat32Array"
  | "item"
  | "fill"
  | "copy"
  | "free"
>;

/**
 * The reference kernels on storages that are typed arrays of `precision`, with the
 * scalars they take and return rounded to it. The native backend runs its small calls
 * on these.
 */
export function jsKernels(precision: Precision): Kernels {
  const round = precision === "float32" ? Math.fround : (x: number) => x;
  const products: Pick<Kernels, "matmul" | "sumRows"> = {
    matmul: (a, b, out, m, k, n, transA, transB) => matmul(f32(a), f32(b), f32(out), m, k, n, transA, transB),
    sumRows: (a, out, rows, cols) => sumRows(f32(a), f32(out), rows, cols),
  };
  return {
    ...products,
    linearBackward: linearBackwardOf(products),
    linearForward: (x, w, bias, out, m, k, n, relu) =>
      linearForward(f32(x), f32(w), bias && f32(bias), f32(out), m, k, n, relu),
    binary: (op, a, b, out) => binary(op, f32(a), f32(b), f32(out)),
    scale: (a, s, out) => scale(f32(a), round(s), f32(out)),
    sum: (a) => round(sum(f32(a))),
    mean: (a) => round(mean(f32(a))),
    sgdStep: (param, grad, buf, o) => sgdStep(f32(param), f32(grad), f32(buf), o),
    adamStep: (param, grad, m, v, vMax, o) => adamStep(f32(param), f32(grad), f32(m), f32(v), f32(vMax), o),
    adagradStep: (param, grad, sum, o) => adagradStep(f32(param), f32(grad), f32(sum), o),
    rmspropStep: (param, grad, sq, ga, buf, o) => rmspropStep(f32(param), f32(grad), f32(sq), f32(ga), f32(buf), o),
    unary: (op, a, out) => unary(op, f32(a), f32(out)),
    powScalar: (a, exponent, out) => powScalar(f32(a), round(exponent), f32(out)),
    activationBackward: (op, saved, g, out) => activationBackward(op, f32(saved), f32(g), f32(out)),
    stridedCopy: (a, out, outShape, aStrides) => stridedCopy(f32(a), f32(out), outShape, aStrides),
    sumAxis: (a, out, outer, axisLen, inner) => sumAxis(f32(a), f32(out), outer, axisLen, inner),
    maxAxis: (a, values, indices, outer, axisLen, inner) =>
      maxAxis(f32(a), f32(values), f32(indices), outer, axisLen, inner),
    softmax: (a, out, outer, axisLen, inner, log) => softmax(f32(a), f32(out), outer, axisLen, inner, log),
    softmaxBackward: (y, g, out, outer, axisLen, inner, log) =>
      softmaxBackward(f32(y), f32(g), f32(out), outer, axisLen, inner, log),
    crossEntropy: (logits, targets, losses, n, c) => crossEntropy(f32(logits), f32(targets), f32(losses), n, c),
    squaredError: (a, b, diff, scale) => round(squaredError(f32(a), f32(b), f32(diff), round(scale))),
    crossEntropyBackward: (logits, targets, g, out, n, c) =>
      crossEntropyBackward(f32(logits), f32(targets), f32(g), f32(out), n, c),
  };
}

/**
 * The pure-TypeScript reference backend: readable loops, the answer the others are
 * tested against. With "float64" the same kernels run on Float64Arrays and nothing is
 * rounded to float32; that backend is never chosen at runtime, only made by gradcheck.
 */
export function createJsBackend(precision: Precision = "float32"): Backend {
  const slabs = precision === "float32" ? createSlabAllocator() : undefined;
  const alloc = slabs ? slabs.alloc : (length: number): Floats => new Float64Array(length);
  const allocUnset = slabs ? slabs.allocUnset : alloc;
  return {
    name: "js",
    simd: "none",
    alloc,
    allocUnset,
    fromFloat32Array: (data) => {
      const copy = allocUnset(data.length);
      copy.set(data);
      return copy;
    },
    toFloat32Array: (s) => new Float32Array(f32(s)),
    item: (s, index) => f32(s)[index] as number,
    fill: (s, value) => fillFloats(f32(s), value),
    copy: (src, dst) => f32(dst).set(f32(src)),
    free: (s) => slabs?.free(s as Float32Array),
    threads: () => 1,
    ...jsKernels(precision),
  };
}
