import { record } from "../autograd/graph.js";
import type { BinaryOp } from "../backend/backend.js";
import { formatShape, numelOf, shapesEqual } from "../shape.js";
import { Tensor } from "../tensor.js";
import { checkNumber, checkOperand, scalarOn } from "./operands.js";

/**
 * The broadcast shape of `a` and `b`, as NumPy defines it. The kernels repeat the
 * smaller operand cyclically, which covers equal shapes, scalars and trailing rows
 * (a bias); other broadcasts throw.
 */
function broadcastShape(op: string, a: readonly number[], b: readonly number[]): readonly number[] {
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
  for (const shape of [a, b]) {
    const firstNonOne = shape.findIndex((d) => d !== 1);
    const core = firstNonOne === -1 ? [] : shape.slice(firstNonOne);
    if (!shapesEqual(core, out.slice(out.length - core.length))) {
      throw new Error(
        `${op}: broadcasting shapes ${formatShape(a)} and ${formatShape(b)} repeats an operand along an inner dimension, which is not supported yet`,
      );
    }
  }
  return out;
}

/** Sums `g` (shaped like the broadcast output) down to `shape`, for a broadcast operand's gradient. */
export function reduceToShape(g: Tensor, shape: readonly number[]): Tensor {
  const op = "reduceToShape";
  const out = Tensor.zeros(g.backend, shape);
  const cols = numelOf(shape);
  if (cols === g.numel()) {
    g.backend.copy(g.storageFor(op), out.storageFor(op));
  } else if (cols > 0) {
    g.backend.sumRows(g.storageFor(op), out.storageFor(op), g.numel() / cols, cols);
  }
  return out;
}

function elementwise(kernel: BinaryOp, a: Tensor, b: Tensor): Tensor {
  const out = Tensor.zeros(a.backend, broadcastShape(kernel, a.shape, b.shape));
  if (out.numel() > 0) a.backend.binary(kernel, a.storageFor(kernel), b.storageFor(kernel), out.storageFor(kernel));
  return out;
}

function binaryOperands(op: string, a: Tensor, b: Tensor | number): [Tensor, Tensor] {
  checkOperand(op, a, a);
  if (typeof b === "number" || typeof b !== "object") return [a, scalarOn(a, checkNumber(op, "other", b))];
  return [a, checkOperand(op, b, a)];
}

/** `a + b`, broadcasting. */
export function add(a: Tensor, other: Tensor | number): Tensor {
  const [x, y] = binaryOperands("add", a, other);
  return record(elementwise("add", x, y), "add", [x, y], (g) => [reduceToShape(g, x.shape), reduceToShape(g, y.shape)]);
}

/** `a - b`, broadcasting. */
export function sub(a: Tensor, other: Tensor | number): Tensor {
  const [x, y] = binaryOperands("sub", a, other);
  return record(elementwise("sub", x, y), "sub", [x, y], (g) => {
    const negated = scale(g, -1);
    const gy = reduceToShape(negated, y.shape);
    negated.dispose();
    return [reduceToShape(g, x.shape), gy];
  });
}

/** `a * b`, broadcasting; a number multiplies through the scale kernel. */
export function mul(a: Tensor, other: Tensor | number): Tensor {
  if (typeof other === "number") return scaleOp("mul", a, other);
  const [x, y] = binaryOperands("mul", a, other);
  return record(elementwise("mul", x, y), "mul", [x, y], (g) => {
    const productGrad = (other: Tensor, shape: readonly number[]): Tensor => {
      const full = elementwise("mul", g, other);
      const reduced = reduceToShape(full, shape);
      full.dispose();
      return reduced;
    };
    return [x.requiresGrad ? productGrad(y, x.shape) : null, y.requiresGrad ? productGrad(x, y.shape) : null];
  });
}

/** `a / divisor` for a number divisor. */
export function div(a: Tensor, divisor: number): Tensor {
  return scaleOp("div", a, 1 / checkNumber("div", "divisor", divisor));
}

/** `-a`. */
export function neg(a: Tensor): Tensor {
  return scaleOp("neg", a, -1);
}

function scale(a: Tensor, factor: number): Tensor {
  const out = Tensor.zeros(a.backend, a.shape);
  a.backend.scale(a.storageFor("scale"), factor, out.storageFor("scale"));
  return out;
}

function scaleOp(op: string, a: Tensor, factor: number): Tensor {
  checkOperand(op, a, a);
  checkNumber(op, "factor", factor);
  return record(scale(a, factor), op, [a], (g) => [scale(g, factor)]);
}
