import type { Floats } from "./floats.js";

/**
 * `diff = (a − b)·scale`, returning `Σ (a − b)²` of the differences as a float32 backend
 * stores them, accumulated in float64 as `sum` does.
 */
export function squaredError(a: Floats, b: Floats, diff: Floats, scale: number): number {
  if (a.length !== diff.length || b.length !== diff.length) {
    throw new Error(
      `squaredError: a has ${a.length} elements, b ${b.length} and diff ${diff.length}; all must be equal`,
    );
  }
  let total = 0;
  for (let i = 0; i < diff.length; i++) {
    // Stored once unscaled, to round the difference to the array's precision.
    diff[i] = (a[i] as number) - (b[i] as number);
    const d = diff[i] as number;
    total += d * d;
    diff[i] = d * scale;
  }
  return total;
}
