import { checkCrossEntropy, rowExpSum } from "./crossEntropy.js";
import type { Floats } from "./floats.js";

/** `out[i, j] = (softmax(x_i)_j − [j = t_i]) · gradLosses[i]`, in float64 with the row maximum subtracted. */
export function crossEntropyBackward(
  logits: Floats,
  targets: Floats,
  gradLosses: Floats,
  out: Floats,
  n: number,
  c: number,
): void {
  checkCrossEntropy("crossEntropyBackward", logits, targets, n, c);
  if (gradLosses.length !== n || out.length !== n * c) {
    throw new Error(
      `crossEntropyBackward: gradLosses has ${gradLosses.length} elements and out ${out.length}, expected n = ${n} and n*c = ${n * c}`,
    );
  }
  for (let i = 0; i < n; i++) {
    const row = i * c;
    const { max, sum } = rowExpSum(logits, row, c);
    const g = gradLosses[i] as number;
    const t = targets[i] as number;
    for (let j = 0; j < c; j++) {
      const p = Math.exp((logits[row + j] as number) - max) / sum;
      out[row + j] = (p - (j === t ? 1 : 0)) * g;
    }
  }
}
