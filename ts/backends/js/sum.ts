import type { Floats } from "./floats.js";
/**
 * Sum of all elements. Accumulates in float64 (a JS number): the reference is meant to
 * be the most accurate answer the other backends are compared with. The backend rounds
 * the result to its precision.
 */
export function sum(a: Floats): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i] as number;
  return total;
}

/** Mean of all elements; NaN when empty, as PyTorch. */
export function mean(a: Floats): number {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += a[i] as number;
  return total / a.length;
}
