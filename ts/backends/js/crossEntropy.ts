import { checkSizes } from "./checkSizes.js";
import type { Floats } from "./floats.js";

/** Checks the shapes and that every target is a class index: a bad one would index outside a row. */
export function checkCrossEntropy(op: string, logits: Floats, targets: Floats, n: number, c: number): void {
  checkSizes(op, { n, c });
  if (logits.length !== n * c || targets.length !== n) {
    throw new Error(
      `${op}: logits has ${logits.length} elements and targets ${targets.length}, expected n*c = ${n * c} and n = ${n} (n=${n} c=${c})`,
    );
  }
  for (let i = 0; i < n; i++) {
    const t = targets[i] as number;
    if (!Number.isInteger(t) || t < 0 || t >= c) {
      throw new Error(`${op}: target ${t} of sample ${i} is not a class index in [0, ${c})`);
    }
  }
}

/**
 * Per-sample cross-entropy of logits [n, c] against class indices:
 * `losses[i] = logsumexp(x_i) − x_i[t_i]`, in float64 with the row maximum subtracted.
 */
/** The maximum of row `[start, start + c)` and Σ exp(x − max) over it, the stable parts of logsumexp. */
export function rowExpSum(logits: Floats, start: number, c: number): { max: number; sum: number } {
  let max = Number.NEGATIVE_INFINITY;
  for (let j = 0; j < c; j++) max = Math.max(max, logits[start + j] as number);
  let sum = 0;
  for (let j = 0; j < c; j++) sum += Math.exp((logits[start + j] as number) - max);
  return { max, sum };
}

export function crossEntropy(logits: Floats, targets: Floats, losses: Floats, n: number, c: number): void {
  checkCrossEntropy("crossEntropy", logits, targets, n, c);
  if (losses.length !== n) throw new Error(`crossEntropy: losses has ${losses.length} elements, expected n = ${n}`);
  for (let i = 0; i < n; i++) {
    const row = i * c;
    const { max, sum } = rowExpSum(logits, row, c);
    losses[i] = Math.log(sum) + (max - (logits[row + (targets[i] as number)] as number));
  }
}
