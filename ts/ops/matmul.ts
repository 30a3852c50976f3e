import { record } from "../autograd/graph.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { checkOperand } from "./operands.js";

/**
 * `op(a)·op(b)` for 2-D tensors stored as given, where op transposes when asked: the
 * backend reads the transposed operand in place rather than copying it.
 */
export function matmulStored(a: Tensor, b: Tensor, transA: boolean, transB: boolean, op = "matmul"): Tensor {
  const [m, k] = transA ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
  const [k2, n] = transB ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
  if (m === undefined || k === undefined || k2 === undefined || n === undefined || k !== k2) {
    throw new Error(`${op}: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied`);
  }
  const out = Tensor.zeros(a.backend, [m, n]);
  a.backend.matmul(a.storageFor(op), b.storageFor(op), out.storageFor(op), m, k, n, transA, transB);
  return out;
}

function check2d(op: string, a: Tensor, b: Tensor): void {
  if (a.shape.length !== 2 || b.shape.length !== 2) {
    throw new Error(
      `${op}: expected two 2-D tensors, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} (batched matmul is not supported yet)`,
    );
  }
}

/** Matrix product of two 2-D tensors. dA = g·Bᵀ and dB = Aᵀ·g, read without transposing. */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkOperand("matmul", a, a);
  checkOperand("matmul", b, a);
  check2d("matmul", a, b);
  return record(matmulStored(a, b, false, false), "matmul", [a, b], (g) => [
    a.requiresGrad ? matmulStored(g, b, false, true) : null,
    b.requiresGrad ? matmulStored(a, g, true, false) : null,
  ]);
}
