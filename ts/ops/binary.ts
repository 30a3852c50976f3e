import { record } from "../autograd/graph.js";
import type { BinaryOp } from "../backend/backend.js";
import { formatShape, shapesEqual } from "../shape.js";
import { Tensor } from "../tensor.js";
import { expandTo, sumToShape } from "./layout.js";
import { checkNumber, checkOperand, scalarOn } from "./operands.js";

/** The broadcast shape of `a` and `b`, as NumPy defines it. */
export function broadcastShapes(op: string, a: readonly number[], b: readonly number[]): readonly number[] {
  if (shapesEqual(a, b)) return a;
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`${op}: shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together`);
    }
    out.push(da === 1 ? db : da);
  }
  return out;
}

/**
 * Whether the kernel's cyclic repetition already broadcasts `shape` to `out`: true
 * when `shape`, leading 1s dropped, is a suffix of `out` (equal shapes, scalars, a bias row).
 */
function repeatsCyclically(shape: readonly number[], out: readonly number[]): boolean {
  let first = 0;
  while (first < shape.length && shape[first] === 1) first++;
  const core = shape.length - first;
  if (core > out.length) return false;
  for (let i = 0; i < core; i++) if (shape[first + i] !== out[out.length - core + i]) return false;
  return true;
}

/** `a op b` broadcast to `shape`, expanding an operand in memory only where the kernel cannot repeat it. */
function elementwise(kernel: BinaryOp, a: Tensor, b: Tensor, shape: readonly number[]): Tensor {
  const out = Tensor.empty(a.backend, shape);
  if (out.numel() === 0) return out;
  const x = repeatsCyclically(a.shape, shape) ? a : expandTo(a, shape);
  const y = repeatsCyclically(b.shape, shape) ? b : expandTo(b, shape);
  a.backend.binary(kernel, x.storageFor(kernel), y.storageFor(kernel), out.storageFor(kernel));
  if (x !== a) x.dispose();
  if (y !== b) y.dispose();
  return out;
}

function operands(op: string, a: Tensor, b: Tensor | number): [Tensor, Tensor] {
  checkOperand(op, a, a);
  if (typeof b !== "object") return [a, scalarOn(a, checkNumber(op, "other", b))];
  return [a, checkOperand(op, b, a)];
}

/** The gradient `g` scaled by `factor`, summed down to `shape`. */
function scaledTo(g: Tensor, factor: number, shape: readonly number[]): Tensor {
  if (factor === 1) return sumToShape(g, shape);
  const scaled = scale(g, factor);
  const out = sumToShape(scaled, shape);
  scaled.dispose();
  return out;
}

/** `g · other`, broadcast, summed down to `shape`. */
function productGrad(g: Tensor, other: Tensor, shape: readonly number[], kernel: BinaryOp = "mul"): Tensor {
  const full = elementwise(kernel, g, other, g.shape);
  const out = sumToShape(full, shape);
  full.dispose();
  return out;
}

/** `a + b`, broadcasting. */
export function add(a: Tensor, other: Tensor | number): Tensor {
  const [x, y] = operands("add", a, other);
  const shape = broadcastShapes("add", x.shape, y.shape);
  return record(elementwise("add", x, y, shape), "add", [x, y], (g) => [
    x.requiresGrad ? sumToShape(g, x.shape) : null,
    y.requiresGrad ? sumToShape(g, y.shape) : null,
  ]);
}

/** `a - b`, broadcasting. */
export function sub(a: Tensor, other: Tensor | number): Tensor {
  const [x, y] = operands("sub", a, other);
  const shape = broadcastShapes("sub", x.shape, y.shape);
  return record(elementwise("sub", x, y, shape), "sub", [x, y], (g) => [
    x.requiresGrad ? sumToShape(g, x.shape) : null,
    y.requiresGrad ? scaledTo(g, -1, y.shape) : null,
  ]);
}

/** `a * b`, broadcasting; a number multiplies through the scale kernel. */
export function mul(a: Tensor, other: Tensor | number): Tensor {
  if (typeof other === "number") return scaleOp("mul", a, other);
  const [x, y] = operands("mul", a, other);
  const shape = broadcastShapes("mul", x.shape, y.shape);
  return record(elementwise("mul", x, y, shape), "mul", [x, y], (g) => [
    x.requiresGrad ? productGrad(g, y, x.shape) : null,
    y.requiresGrad ? productGrad(g, x, y.shape) : null,
  ]);
}

/** `a / b`, broadcasting. d/da = g / b and d/db = −g·a / b². */
export function div(a: Tensor, other: Tensor | number): Tensor {
  const [x, y] = operands("div", a, other);
  const shape = broadcastShapes("div", x.shape, y.shape);
  const out = elementwise("div", x, y, shape);
  return record(out, "div", [x, y], (g) => {
    let gy: Tensor | null = null;
    if (y.requiresGrad) {
      // −g·(a/b)/b reuses the output instead of squaring b.
      const ratio = elementwise("mul", g, out, shape);
      const quotient = elementwise("div", ratio, y, shape);
      ratio.dispose();
      gy = scaledTo(quotient, -1, y.shape);
      quotient.dispose();
    }
    return [x.requiresGrad ? productGrad(g, y, x.shape, "div") : null, gy];
  });
}

/** `-a`. */
export function neg(a: Tensor): Tensor {
  return scaleOp("neg", a, -1);
}

export function scale(a: Tensor, factor: number): Tensor {
  const out = Tensor.empty(a.backend, a.shape);
  a.backend.scale(a.storageFor("scale"), factor, out.storageFor("scale"));
  return out;
}

function scaleOp(op: string, a: Tensor, factor: number): Tensor {
  checkOperand(op, a, a);
  checkNumber(op, "factor", factor);
  return record(scale(a, factor), op, [a], (g) => [scale(g, factor)]);
}
