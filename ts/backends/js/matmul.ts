import type { Floats } from "./floats.js";
/**
 * `out[m×n] = op(a)·op(b)` in row-major order. With `transA`, `a` is stored k×m; with
 * `transB`, `b` is stored n×k. Every element is accumulated in float64 and rounded once.
 * The loops keep the innermost index on contiguous memory: with `b` transposed (and `a`
 * not), rows of `a` and of the stored `b` meet in dot products; otherwise they run i-p-j,
 * walking a row of the result and of `b`.
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
  if (transB && !transA) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let p = 0; p < k; p++) acc += (a[i * k + p] as number) * (b[j * k + p] as number);
        out[i * n + j] = acc;
      }
    }
    return;
  }
  const row = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    row.fill(0);
    for (let p = 0; p < k; p++) {
      const aip = transA ? (a[p * m + i] as number) : (a[i * k + p] as number);
      if (transB) {
        for (let j = 0; j < n; j++) row[j] = (row[j] as number) + aip * (b[j * k + p] as number);
      } else {
        const bRow = p * n;
        for (let j = 0; j < n; j++) row[j] = (row[j] as number) + aip * (b[bRow + j] as number);
      }
    }
    out.set(row, i * n);
  }
}

/**
 * `out[m×n] = x·wᵀ + bias`, then `max(·, 0)` when `relu`: the product as `matmul` with
 * `w` transposed, each element rounded as a float32 backend stores it, then the bias
 * added and stored again.
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
  matmul(x, w, out, m, k, n, false, true);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let v = out[i * n + j] as number;
      if (bias) v += bias[j] as number;
      // Math.max keeps NaN, as PyTorch's relu.
      out[i * n + j] = relu ? Math.max(v, 0) : v;
    }
  }
}
