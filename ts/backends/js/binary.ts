import type { BinaryOp } from "../../backend/backend.js";
import type { Floats } from "./floats.js";

const apply: Record<BinaryOp, (x: number, y: number) => number> = {
  add: (x, y) => x + y,
  sub: (x, y) => x - y,
  mul: (x, y) => x * y,
  // A float64 quotient of two float32 values rounds to the correctly rounded float32 quotient.
  div: (x, y) => x / y,
};

/** `out[i] = a[i % a.length] op b[i % b.length]`: the shorter operand repeats as a row or scalar. */
export function binary(op: BinaryOp, a: Floats, b: Floats, out: Floats): void {
  const f = apply[op];
  for (let i = 0; i < out.length; i++) out[i] = f(a[i % a.length] as number, b[i % b.length] as number);
}
