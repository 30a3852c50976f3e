import type { Floats } from "./floats.js";

/** Checks that every index the view can produce lies inside `a`: the other backends must not read past it. */
function checkView(a: Floats, out: Floats, outShape: readonly number[], aStrides: readonly number[]): void {
  const view = `shape [${outShape.join(", ")}] with strides [${aStrides.join(", ")}]`;
  if (aStrides.length !== outShape.length) {
    throw new Error(`stridedCopy: ${view}: expected one stride per dimension`);
  }
  let size = 1;
  let last = 0;
  for (let d = 0; d < outShape.length; d++) {
    const n = outShape[d] as number;
    const stride = aStrides[d] as number;
    if (!Number.isInteger(n) || n < 0) throw new Error(`stridedCopy: ${view}: dimension ${d} is ${n}`);
    if (!Number.isInteger(stride) || stride < 0) throw new Error(`stridedCopy: ${view}: stride ${d} is ${stride}`);
    size *= n;
    last += (n - 1) * stride;
  }
  if (out.length !== size) throw new Error(`stridedCopy: ${view} has ${size} elements but out has ${out.length}`);
  if (size > 0 && last >= a.length) {
    throw new Error(`stridedCopy: ${view} reaches element ${last} but a has ${a.length} elements`);
  }
}

/**
 * Copies a strided view of `a` into the contiguous `out`: `out[i] = a[Σ_d index_d(i)·aStrides[d]]`.
 * `out` is written in order; an odometer over the outer dimensions tracks the offset into
 * `a`, and the innermost dimension is one loop with a fixed stride.
 */
export function stridedCopy(a: Floats, out: Floats, outShape: readonly number[], aStrides: readonly number[]): void {
  checkView(a, out, outShape, aStrides);
  if (out.length === 0) return;
  const rank = outShape.length;
  // A 0-d view is one element at offset 0.
  const innerLen = rank > 0 ? (outShape[rank - 1] as number) : 1;
  const innerStride = rank > 0 ? (aStrides[rank - 1] as number) : 0;
  const index = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let o = 0; o < out.length; o += innerLen) {
    for (let j = 0; j < innerLen; j++) out[o + j] = a[offset + j * innerStride] as number;
    // Advance the odometer over dimensions rank-2 .. 0, carrying as digits wrap.
    for (let d = rank - 2; d >= 0; d--) {
      const stride = aStrides[d] as number;
      if ((index[d] as number) + 1 < (outShape[d] as number)) {
        index[d] = (index[d] as number) + 1;
        offset += stride;
        break;
      }
      offset -= (index[d] as number) * stride;
      index[d] = 0;
    }
  }
}
