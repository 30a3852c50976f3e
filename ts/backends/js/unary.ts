import type { UnaryOp } from "../../backend/backend.js";
import type { Floats } from "./floats.js";

/** exp(x)/(1+exp(x)) below zero, so that neither branch divides by an overflowed exp. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

// Each function runs in float64 and the store into the Float32Array rounds once, so the
// result is the float32 nearest the true value in all but rare double-rounding cases.
// A switch rather than a table of functions: once a process has used two ops, a call
// through the table per element is no longer inlined and costs ~10 ns.
function apply(op: UnaryOp, x: number): number {
  switch (op) {
    case "neg":
      return -x;
    case "exp":
      return Math.exp(x);
    case "log":
      return Math.log(x);
    case "sqrt":
      return Math.sqrt(x);
    case "abs":
      return Math.abs(x);
    case "sign":
      // 0 for ±0 and NaN for NaN (Math.sign would keep -0).
      return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : x;
    case "relu":
      // Math.max returns NaN for NaN, as PyTorch's relu does.
      return Math.max(x, 0);
    case "sigmoid":
      return sigmoid(x);
    case "tanh":
      return Math.tanh(x);
  }
}

const ops: readonly string[] = [
  "neg",
  "exp",
  "log",
  "sqrt",
  "abs",
  "sign",
  "relu",
  "sigmoid",
  "tanh",
] satisfies UnaryOp[];

/** `out[i] = op(a[i])`; `out` may be `a`, since each element is read before it is written. */
export function unary(op: UnaryOp, a: Floats, out: Floats): void {
  if (!ops.includes(op)) throw new Error(`unary: unknown op "${op}"; expected one of ${ops.join(", ")}`);
  if (out.length !== a.length) throw new Error(`unary(${op}): a has ${a.length} elements but out has ${out.length}`);
  for (let i = 0; i < a.length; i++) out[i] = apply(op, a[i] as number);
}
