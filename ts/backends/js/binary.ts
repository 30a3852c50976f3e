import type { BinaryOp } from "../../backend/backend.js";
import type { Floats } from "./floats.js";

// A float64 quotient of two float32 values rounds to the correctly rounded float32 quotient.
function apply(op: BinaryOp, x: number, y: number): number {
  switch (op) {
    case "add":
      return x + y;
    case "sub":
      return x - y;
    case "mul":
      return x * y;
    case "div":
      return x / y;
  }
}

const ops: readonly string[] = ["add", "sub", "mul", "div"] satisfies BinaryOp[];

/** Throws unless `op` is a BinaryOp: the native backend looks its addon function up by name. */
export function checkBinaryOp(op: BinaryOp): void {
  if (!ops.includes(op)) throw new Error(`binary: unknown op "${op}"; expected one of ${ops.join(", ")}`);
}

/** Throws unless `length` divides `n`; an empty operand repeats only into an empty out. */
function checkRepeats(op: BinaryOp, name: string, length: number, n: number): void {
  if (length === 0 ? n !== 0 : n % length !== 0) {
    throw new Error(`${op}: ${name} has ${length} elements, which does not divide out's ${n}`);
  }
}

/**
 * `out[i] = a[i % a.length] op b[i % b.length]`: the shorter operand repeats as a row or
 * scalar. Other lengths throw, in the native addon's words.
 */
export function binary(op: BinaryOp, a: Floats, b: Floats, out: Floats): void {
  checkBinaryOp(op);
  const n = out.length;
  if (a.length !== n && b.length !== n) {
    throw new Error(`${op}: a has ${a.length} elements and b has ${b.length}, but one of them must have out's ${n}`);
  }
  checkRepeats(op, "a", a.length, n);
  checkRepeats(op, "b", b.length, n);
  if (a.length === n && b.length === n) {
    // A loop per op rather than `apply` per element: half the time at a few dozen
    // elements, where the native backend runs its calls here.
    switch (op) {
      case "add":
        for (let i = 0; i < n; i++) out[i] = (a[i] as number) + (b[i] as number);
        return;
      case "sub":
        for (let i = 0; i < n; i++) out[i] = (a[i] as number) - (b[i] as number);
        return;
      case "mul":
        for (let i = 0; i < n; i++) out[i] = (a[i] as number) * (b[i] as number);
        return;
      case "div":
        for (let i = 0; i < n; i++) out[i] = (a[i] as number) / (b[i] as number);
        return;
    }
  }
  for (let i = 0; i < n; i++) out[i] = apply(op, a[i % a.length] as number, b[i % b.length] as number);
}
