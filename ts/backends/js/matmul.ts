import { checkBias, checkProduct } from "./checkSizes.js";
import { float64Row } from "./float64Row.js";
import type { Floats } from "./floats.js";

/** Throws unless x, w, bias (when given) and out fit the product m×k·(n×k)ᵀ, in the addon's words. */
function checkLinear(x: Floats, w: Floats, bias: Floats | null, out: Floats, m: number, k: number, n: number): void {
  checkProduct("linearForward", "x", x.length, "m*k", m, k);
  checkProduct("linearForward", "w", w.length, "n*k", n, k);
  checkProduct("linearForward", "out", out.length, "m*n", m, n);
  if (bias) checkBias("linearForward", "bias", bias.length, n);
}

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
  checkProduct("matmul", "a", a.length, "m*k", m, k);
  checkProduct("matmul", "b", b.length, "k*n", k, n);
  checkProduct("matmul", "out", out.length, "m*n", m, n);
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
  for (let i = 0; i < m; i++) {
    const row = float64Row(n);
    for (let p = 0; p < k; p++) {
      const aip = transA ? (a[p * m + i] as number) : (a[i * k + p] as number);
      if (transB) {
        for (let j = 0; j < n; j++) row[j] = (row[j] as number) + aip * (b[j * k + p] as number);
      } else {
        const bRow = p * n;
        for (let j = 0; j < n; j++) row[j] = (row[j] as number) + aip * (b[bRow + j] as number);
      }
    }
    for (let j = 0; j < n; j++) out[i * n + j] = row[j] as number;
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
  checkLinear(x, w, bias, out, m, k, n);
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
