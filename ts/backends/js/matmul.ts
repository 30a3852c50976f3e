import type { Floats } from "./floats.js";
/**
 * `out[m×n] = op(a)·op(b)` in row-major order. With `transA`, `a` is stored k×m; with
 * `transB`, `b` is stored n×k. The loops run i-p-j so the innermost loop walks rows of
 * `out` (and of `b` when it is not transposed) contiguously.
 */
export function matmul(
  a: Floats,
  b: Floats,
  out: Floats,
  m: number,
  k: number,
  n: number,
  transA: boolean,
  transB: boolean,
): void {
  out.fill(0);
  for (let i = 0; i < m; i++) {
    const outRow = i * n;
    for (let p = 0; p < k; p++) {
      const aip = transA ? (a[p * m + i] as number) : (a[i * k + p] as number);
      if (transB) {
        for (let j = 0; j < n; j++) out[outRow + j] = (out[outRow + j] as number) + aip * (b[j * k + p] as number);
      } else {
        const bRow = p * n;
        for (let j = 0; j < n; j++) out[outRow + j] = (out[outRow + j] as number) + aip * (b[bRow + j] as number);
      }
    }
  }
}

/**
 * `out[m×n] = x·wᵀ + bias`, then `max(·, 0)` when `relu`: each output element is the
 * dot product of a row of `x` and a row of `w`, both contiguous.
 */
export function linearForward(
  x: Floats,
  w: Floats,
  bias: Floats | null,
  out: Floats,
  m: number,
  k: number,
  n: number,
  relu: boolean,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = 0; p < k; p++) acc += (x[i * k + p] as number) * (w[j * k + p] as number);
      // Rounded as a float32 backend stores it, then the bias added and stored again.
      out[i * n + j] = acc;
      let v = out[i * n + j] as number;
      if (bias) v += bias[j] as number;
      // Math.max keeps NaN, as PyTorch's relu.
      out[i * n + j] = relu ? Math.max(v, 0) : v;
    }
  }
}
