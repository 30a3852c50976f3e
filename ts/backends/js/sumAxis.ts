import { checkSizes } from "./checkSizes.js";
import { float64Row } from "./float64Row.js";
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
  sumCheckedAxis(a, out, outer, axisLen, inner);
}

/** `sumAxis` on sizes already checked against the lengths. */
export function sumCheckedAxis(a: Floats, out: Floats, outer: number, axisLen: number, inner: number): void {
  for (let o = 0; o < outer; o++) {
    const acc = float64Row(inner);
    for (let k = 0; k < axisLen; k++) {
      const row = (o * axisLen + k) * inner;
      for (let i = 0; i < inner; i++) acc[i] = (acc[i] as number) + (a[row + i] as number);
    }
    for (let i = 0; i < inner; i++) out[o * inner + i] = acc[i] as number;
  }
}
