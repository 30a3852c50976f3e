import type { Backend } from "../backend/backend.js";
import { checkBias, checkProduct } from "./js/checkSizes.js";

type Products = Pick<Backend, "matmul" | "sumRows">;

/**
 * `Backend.linearBackward` as the three calls it stands for, for backends whose calls
 * cost little next to their work (js, wasm). The sizes are checked first in the native
 * addon's words, so every backend names the same operation and argument.
 */
export function linearBackwardOf(kernels: Products): Backend["linearBackward"] {
  return (gradOut, x, w, gradX, gradW, gradBias, m, k, n) => {
    const op = "linearBackward";
    checkProduct(op, "gradOut", gradOut.length, "m*n", m, n);
    if (gradX && !w) throw new Error(`${op}: gradX needs w`);
    if (gradW && !x) throw new Error(`${op}: gradW needs x`);
    if (x) checkProduct(op, "x", x.length, "m*k", m, k);
    if (w) checkProduct(op, "w", w.length, "n*k", n, k);
    if (gradX) checkProduct(op, "gradX", gradX.length, "m*k", m, k);
    if (gradW) checkProduct(op, "gradW", gradW.length, "n*k", n, k);
    if (gradBias) checkBias(op, "gradBias", gradBias.length, n);
    const outputs = [
      ["gradX", gradX],
      ["gradW", gradW],
      ["gradBias", gradBias],
    ] as const;
    for (const [i, [first, a]] of outputs.entries()) {
      for (const [second, b] of outputs.slice(i + 1)) {
        if (a !== null && a === b) throw new Error(`${op}: ${first} and ${second} share memory`);
      }
      // The addon copies such an input first; three separate calls cannot.
      if (a !== null && (a === gradOut || a === x || a === w)) throw new Error(`${op}: ${first} is also an input`);
    }
    if (gradX && w) kernels.matmul(gradOut, w, gradX, m, n, k, false, false);
    if (gradW && x) kernels.matmul(gradOut, x, gradW, n, m, k, true, false);
    if (gradBias) kernels.sumRows(gradOut, gradBias, m, n);
  };
}
