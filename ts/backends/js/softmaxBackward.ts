import { checkSizes } from "./checkSizes.js";
import type { Floats } from "./floats.js";

/**
 * Gradient of softmax over the middle axis of [outer, axisLen, inner], from its output
 * `y`: `y·(g − Σ g·y)`; of log-softmax, from its output: `g − exp(y)·Σ g`. The sums run
 * over the axis in float64.
 */
export function softmaxBackward(
  y: Floats,
  gradOut: Floats,
  out: Floats,
  outer: number,
  axisLen: number,
  inner: number,
  log: boolean,
): void {
  checkSizes("softmaxBackward", { outer, axisLen, inner });
  if (y.length !== outer * axisLen * inner || gradOut.length !== y.length || out.length !== y.length) {
    throw new Error(
      `softmaxBackward: y has ${y.length} elements, gradOut ${gradOut.length}, out ${out.length}; expected ${outer * axisLen * inner} (outer=${outer} axisLen=${axisLen} inner=${inner})`,
    );
  }
  const dot = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const start = o * axisLen * inner;
    dot.fill(0);
    for (let k = 0; k < axisLen; k++) {
      for (let i = 0; i < inner; i++) {
        const j = start + k * inner + i;
        // Σ g·y for softmax, Σ g for log-softmax.
        dot[i] = (dot[i] as number) + (log ? (gradOut[j] as number) : (gradOut[j] as number) * (y[j] as number));
      }
    }
    for (let k = 0; k < axisLen; k++) {
      for (let i = 0; i < inner; i++) {
        const j = start + k * inner + i;
        const g = gradOut[j] as number;
        const yj = y[j] as number;
        out[j] = log ? g - Math.exp(yj) * (dot[i] as number) : yj * (g - (dot[i] as number));
      }
    }
  }
}
