/**
 * Sum of all elements. Accumulates in float64 (a JS number): the reference is meant to
 * be the most accurate answer the other backends are compared with.
 */
export function sum(a: Float32Array): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i] as number;
  return Math.fround(total);
}

/** Mean of all elements; NaN when empty, as PyTorch. */
export function mean(a: Float32Array): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i] as number;
  return Math.fround(total / a.length);
}
