import { checkSizes } from "./checkSizes.js";
import type { Floats } from "./floats.js";

/**
 * Sums the middle axis of `a` seen as [outer, axisLen, inner] into `out[outer·inner]`.
 * Rows of `inner` elements are added in memory order into float64 accumulators, so the
 * reference is as accurate as a float64 sum.
 */
export function sumAxis(a: Floats, out: Floats, outer: number, axisLen: number, inner: number): void {
  checkSizes("sumAxis", { outer, axisLen, inner });
  if (a.length !== outer * axisLen * inner || out.length !== outer * inner) {
    throw new Error(
      `sumAxis: a has ${a.length} elements and out ${out.length}, expected ${outer * axisLen * inner} and ${outer * inner} (outer=${outer} axisLen=${axisLen} inner=${inner})`,
    );
  }
  const acc = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    acc.fill(0);
    for (let k = 0; k < axisLen; k++) {
      const row = (o * axisLen + k) * inner;
      for (let i = 0; i < inner; i++) acc[i] = (acc[i] as number) + (a[row + i] as number);
    }
    out.set(acc, o * inner);
  }
}
