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
const apply: Record<UnaryOp, (x: number) => number> = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  abs: Math.abs,
  // 0 for ±0 and NaN for NaN (Math.sign would keep -0).
  sign: (x) => (x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : x),
  // Math.max returns NaN for NaN, as PyTorch's relu does.
  relu: (x) => Math.max(x, 0),
  sigmoid,
  tanh: Math.tanh,
};

/** `out[i] = op(a[i])`; `out` may be `a`, since each element is read before it is written. */
export function unary(op: UnaryOp, a: Floats, out: Floats): void {
  const f = apply[op];
  if (f === undefined) throw new Error(`unary: unknown op "${op}"; expected one of ${Object.keys(apply).join(", ")}`);
  if (out.length !== a.length) throw new Error(`unary(${op}): a has ${a.length} elements but out has ${out.length}`);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i] as number);
}
