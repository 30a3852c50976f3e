import type { Storage } from "../backend/backend.js";
import { activationCodes, codeOf, unaryCodes } from "./kernelCodes.js";
import type { NnKernels } from "./nativeNn.js";
import type { WasmAllocator, WasmMemory, WasmStorage } from "./wasmMemory.js";
import type { WasmCalls } from "./wasmOptim.js";

/**
 * The exports of crates/wasm/src/{unary,axis}.rs: pointer and length pairs, then sizes;
 * ops as the codes of kernelCodes.ts, booleans as 0 or 1. The module checks lengths
 * again and traps on a mismatch, so everything is checked here first.
 */
export interface NnExports extends Pick<WasmAllocator, "alloc_f32" | "free_f32"> {
  unary(op: number, a: number, aLen: number, out: number, outLen: number): void;
  pow_scalar(a: number, aLen: number, exponent: number, out: number, outLen: number): void;
  activation_backward(
    op: number,
    saved: number,
    savedLen: number,
    grad: number,
    gradLen: number,
    out: number,
    outLen: number,
  ): void;
  /** `dims` holds `rank` sizes then `rank` strides as 32-bit words. */
  strided_copy(a: number, aLen: number, out: number, outLen: number, dims: number, rank: number): void;
  sum_axis(a: number, aLen: number, out: number, outLen: number, outer: number, len: number, inner: number): void;
  max_axis(
    a: number,
    aLen: number,
    values: number,
    valuesLen: number,
    indices: number,
    indicesLen: number,
    outer: number,
    len: number,
    inner: number,
  ): void;
  softmax(
    a: number,
    aLen: number,
    out: number,
    outLen: number,
    outer: number,
    len: number,
    inner: number,
    log: number,
  ): void;
  softmax_backward(
    y: number,
    yLen: number,
    grad: number,
    gradLen: number,
    out: number,
    outLen: number,
    outer: number,
    len: number,
    inner: number,
    log: number,
  ): void;
  cross_entropy(
    logits: number,
    logitsLen: number,
    targets: number,
    targetsLen: number,
    losses: number,
    lossesLen: number,
    c: number,
  ): void;
  squared_error(a: number, aLen: number, b: number, bLen: number, diff: number, diffLen: number, scale: number): number;
  cross_entropy_backward(
    logits: number,
    logitsLen: number,
    targets: number,
    targetsLen: number,
    grad: number,
    gradLen: number,
    out: number,
    outLen: number,
    c: number,
  ): void;
}

export const nnExportNames = [
  "unary",
  "pow_scalar",
  "activation_backward",
  "strided_copy",
  "sum_axis",
  "max_axis",
  "softmax",
  "softmax_backward",
  "cross_entropy",
  "cross_entropy_backward",
  "squared_error",
] as const;

/** What these kernels need from the wasm backend beyond the optimizer kernels' needs. */
export interface NnCalls extends WasmCalls {
  memory: WasmMemory;
  /** Throws unless `value` is an integer in the range every length and size must keep to. */
  checkSize(op: string, name: string, value: number): void;
}

/**
 * The wasm backend's elementwise, strided, axis, softmax and cross-entropy kernels.
 * Lengths, sizes, strides and targets are checked before the call, so a mistake is an
 * Error naming the op and the values rather than a trap.
 */
export function wasmNnKernels(ex: NnExports, calls: NnCalls): NnKernels {
  const { begin, live, fail, checkSize, memory } = calls;

  /** The storages of a lane-wise kernel, named by `names`, which must share one length. */
  const sameLength = (op: string, names: readonly string[], ...storages: Storage[]): WasmStorage[] => {
    const blocks = storages.map((s, i) => live(op, names[i] as string, s));
    if (blocks.some((b) => b.length !== blocks[0]?.length)) {
      fail(op, `${blocks.map((b, i) => `${names[i]} has ${b.length} elements`).join(", ")}; they must be equal`);
    }
    return blocks;
  };

  /** Checks the sizes of `[outer, axisLen, inner]`; returns the element counts they imply. */
  const axis = (op: string, outer: number, axisLen: number, inner: number) => {
    checkSize(op, "outer", outer);
    checkSize(op, "axisLen", axisLen);
    checkSize(op, "inner", inner);
    const shape = `outer=${outer} axisLen=${axisLen} inner=${inner}`;
    const expect = (name: string, s: { length: number }, want: number) => {
      if (s.length !== want) fail(op, `${name} has ${s.length} elements, expected ${want} (${shape})`);
    };
    return { total: outer * axisLen * inner, reduced: outer * inner, expect };
  };

  /** Checks `logits` (n×c), `targets` (n) and that every target is a class index. */
  const crossEntropyInputs = (op: string, logitsSt: Storage, targetsSt: Storage, n: number, c: number) => {
    const logits = live(op, "logits", logitsSt);
    const targets = live(op, "targets", targetsSt);
    checkSize(op, "n", n);
    checkSize(op, "c", c);
    if (logits.length !== n * c || targets.length !== n) {
      fail(
        op,
        `logits has ${logits.length} elements and targets ${targets.length}, expected n*c = ${n * c} and n = ${n} (n=${n} c=${c})`,
      );
    }
    const heap = memory.heap();
    const first = targets.ptr >>> 2;
    for (let i = 0; i < n; i++) {
      const t = heap[first + i] as number;
      if (!Number.isInteger(t) || t < 0 || t >= c)
        fail(op, `target ${t} of sample ${i} is not a class index in [0, ${c})`);
    }
    return { logits, targets };
  };

  return {
    unary(op, aSt, outSt) {
      const code = codeOf(unaryCodes, "wasm", "unary", op);
      const name = begin(`unary(${op})`);
      const [a, out] = sameLength(name, ["a", "out"], aSt, outSt) as [WasmStorage, WasmStorage];
      ex.unary(code, a.ptr, a.length, out.ptr, out.length);
    },
    powScalar(aSt, exponent, outSt) {
      const [a, out] = sameLength(begin("powScalar"), ["a", "out"], aSt, outSt) as [WasmStorage, WasmStorage];
      ex.pow_scalar(a.ptr, a.length, exponent, out.ptr, out.length);
    },
    activationBackward(op, savedSt, gradSt, outSt) {
      const code = codeOf(activationCodes, "wasm", "activationBackward", op);
      const name = begin(`activationBackward(${op})`);
      const names = ["saved", "gradOut", "out"];
      const blocks = sameLength(name, names, savedSt, gradSt, outSt) as [WasmStorage, WasmStorage, WasmStorage];
      const [saved, grad, out] = blocks;
      ex.activation_backward(code, saved.ptr, saved.length, grad.ptr, grad.length, out.ptr, out.length);
    },
    stridedCopy(aSt, outSt, outShape, aStrides) {
      const op = begin("stridedCopy");
      const a = live(op, "a", aSt);
      const out = live(op, "out", outSt);
      const rank = checkView(op, a.length, out.length, outShape, aStrides, fail);
      if (out.length === 0) return;
      // Sizes then strides as 32-bit words in a block of the module's own; strides of
      // dimensions that never step (size 1) are written as 0, as they may not fit.
      const dims = rank === 0 ? 0 : ex.alloc_f32(2 * rank, 0) >>> 0;
      if (rank > 0 && dims === 0) fail(op, `out of memory for a view of rank ${rank}`);
      try {
        const words = new Uint32Array(memory.heap().buffer, dims, 2 * rank);
        for (let d = 0; d < rank; d++) {
          const n = outShape[d] as number;
          words[d] = n;
          words[rank + d] = n > 1 ? (aStrides[d] as number) : 0;
        }
        ex.strided_copy(a.ptr, a.length, out.ptr, out.length, dims, rank);
      } finally {
        if (rank > 0) ex.free_f32(dims, 2 * rank);
      }
    },
    sumAxis(aSt, outSt, outer, axisLen, inner) {
      const op = begin("sumAxis");
      const a = live(op, "a", aSt);
      const out = live(op, "out", outSt);
      const d = axis(op, outer, axisLen, inner);
      d.expect("a", a, d.total);
      d.expect("out", out, d.reduced);
      ex.sum_axis(a.ptr, a.length, out.ptr, out.length, outer, axisLen, inner);
    },
    maxAxis(aSt, valuesSt, indicesSt, outer, axisLen, inner) {
      const op = begin("maxAxis");
      const a = live(op, "a", aSt);
      const values = live(op, "values", valuesSt);
      const indices = live(op, "indices", indicesSt);
      const d = axis(op, outer, axisLen, inner);
      d.expect("a", a, d.total);
      d.expect("values", values, d.reduced);
      d.expect("indices", indices, d.reduced);
      if (axisLen === 0 && d.reduced > 0) fail(op, `cannot reduce an empty axis (outer=${outer} inner=${inner})`);
      if (values === indices && d.reduced > 0) fail(op, "values and indices must be different storages");
      ex.max_axis(a.ptr, a.length, values.ptr, values.length, indices.ptr, indices.length, outer, axisLen, inner);
    },
    softmax(aSt, outSt, outer, axisLen, inner, log) {
      const op = begin("softmax");
      const a = live(op, "a", aSt);
      const out = live(op, "out", outSt);
      const d = axis(op, outer, axisLen, inner);
      d.expect("a", a, d.total);
      d.expect("out", out, d.total);
      ex.softmax(a.ptr, a.length, out.ptr, out.length, outer, axisLen, inner, log ? 1 : 0);
    },
    softmaxBackward(ySt, gradSt, outSt, outer, axisLen, inner, log) {
      const op = begin("softmaxBackward");
      const y = live(op, "y", ySt);
      const grad = live(op, "gradOut", gradSt);
      const out = live(op, "out", outSt);
      const d = axis(op, outer, axisLen, inner);
      d.expect("y", y, d.total);
      d.expect("gradOut", grad, d.total);
      d.expect("out", out, d.total);
      ex.softmax_backward(
        y.ptr,
        y.length,
        grad.ptr,
        grad.length,
        out.ptr,
        out.length,
        outer,
        axisLen,
        inner,
        log ? 1 : 0,
      );
    },
    crossEntropy(logitsSt, targetsSt, lossesSt, n, c) {
      const op = begin("crossEntropy");
      const { logits, targets } = crossEntropyInputs(op, logitsSt, targetsSt, n, c);
      const losses = live(op, "losses", lossesSt);
      if (losses.length !== n) fail(op, `losses has ${losses.length} elements, expected n = ${n}`);
      ex.cross_entropy(logits.ptr, logits.length, targets.ptr, targets.length, losses.ptr, losses.length, c);
    },
    squaredError(aSt, bSt, diffSt, scale) {
      const op = begin("squaredError");
      const a = live(op, "a", aSt);
      const b = live(op, "b", bSt);
      const diff = live(op, "diff", diffSt);
      if (a.length !== diff.length || b.length !== diff.length) {
        fail(op, `a has ${a.length} elements, b ${b.length} and diff ${diff.length}; all must be equal`);
      }
      return ex.squared_error(a.ptr, a.length, b.ptr, b.length, diff.ptr, diff.length, scale);
    },
    crossEntropyBackward(logitsSt, targetsSt, gradSt, outSt, n, c) {
      const op = begin("crossEntropyBackward");
      const { logits, targets } = crossEntropyInputs(op, logitsSt, targetsSt, n, c);
      const grad = live(op, "gradLosses", gradSt);
      const out = live(op, "out", outSt);
      if (grad.length !== n || out.length !== n * c) {
        fail(op, `gradLosses has ${grad.length} elements and out ${out.length}, expected n = ${n} and n*c = ${n * c}`);
      }
      ex.cross_entropy_backward(
        logits.ptr,
        logits.length,
        targets.ptr,
        targets.length,
        grad.ptr,
        grad.length,
        out.ptr,
        out.length,
        c,
      );
    },
  };
}

/**
 * Checks a strided view of `a` into `out`: one stride per dimension, integer sizes and
 * strides, `out` of the view's size, and every offset the view can produce inside `a`.
 * Returns the rank.
 */
function checkView(
  op: string,
  aLength: number,
  outLength: number,
  shape: readonly number[],
  strides: readonly number[],
  fail: (op: string, message: string) => never,
): number {
  const view = `shape [${shape.join(", ")}] with strides [${strides.join(", ")}]`;
  if (shape.length !== strides.length) fail(op, `${view}: expected one stride per dimension`);
  let size = 1;
  for (let d = 0; d < shape.length; d++) {
    const n = shape[d] as number;
    const s = strides[d] as number;
    if (!Number.isSafeInteger(n) || n < 0) fail(op, `${view}: dimension ${d} is ${n}`);
    if (!Number.isSafeInteger(s) || s < 0) fail(op, `${view}: stride ${d} is ${s}`);
    size *= n;
  }
  if (size !== outLength) fail(op, `${view} has ${size} elements but out has ${outLength}`);
  if (size === 0) return shape.length;
  // Exact while below 2^53; a term that large already fails the comparison.
  let last = 0;
  for (let d = 0; d < shape.length; d++) {
    last += ((shape[d] as number) - 1) * (strides[d] as number);
    if (last >= aLength) fail(op, `${view} reaches element ${last} but a has ${aLength} elements`);
  }
  return shape.length;
}
