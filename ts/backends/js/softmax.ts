import { checkSizes } from "./checkSizes.js";
import type { Floats } from "./floats.js";

/**
 * Softmax (or log-softmax) over the middle axis of [outer, axisLen, inner]. Each slice
 * has its maximum subtracted before exp, so large logits cannot overflow; sums run in
 * float64. A slice holding NaN or +inf gives NaN throughout, one of all -inf too, as in PyTorch.
 */
export function softmax(a: Floats, out: Floats, outer: number, axisLen: number, inner: number, log: boolean): void {
  checkSizes("softmax", { outer, axisLen, inner });
  if (a.length !== outer * axisLen * inner || out.length !== a.length) {
    throw new Error(
      `softmax: a has ${a.length} elements and out ${out.length}, expected ${outer * axisLen * inner} (outer=${outer} axisLen=${axisLen} inner=${inner})`,
    );
  }
  // One accumulator per inner position, so each pass reads rows of `inner` contiguous elements.
  const max = new Float64Array(inner);
  const sum = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const start = o * axisLen * inner;
    max.fill(Number.NEGATIVE_INFINITY);
    sum.fill(0);
    for (let k = 0; k < axisLen; k++) {
      // Math.max returns NaN when either argument is NaN.
      for (let i = 0; i < inner; i++) max[i] = Math.max(max[i] as number, a[start + k * inner + i] as number);
    }
    for (let k = 0; k < axisLen; k++) {
      for (let i = 0; i < inner; i++) {
        sum[i] = (sum[i] as number) + Math.exp((a[start + k * inner + i] as number) - (max[i] as number));
      }
    }
    for (let k = 0; k < axisLen; k++) {
      for (let i = 0; i < inner; i++) {
        const shifted = (a[start + k * inner + i] as number) - (max[i] as number);
        out[start + k * inner + i] = log
          ? shifted - Math.log(sum[i] as number)
          : Math.exp(shifted) / (sum[i] as number);
      }
    }
  }
}
