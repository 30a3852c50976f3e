import { record } from "../autograd/graph.js";
import { formatShape, sliceShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { broadcastShapes, mul } from "./binary.js";
import { reshape } from "./layout.js";
import { checkOperand } from "./operands.js";
import { sum } from "./reduce.js";

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
  const out = Tensor.empty(a.backend, [m, n]);
  if (out.numel() > 0) {
    a.backend.matmul(a.storageFor(op), b.storageFor(op), out.storageFor(op), m, k, n, transA, transB);
  }
  return out;
}

/** Matrix product of two 2-D tensors. dA = g·Bᵀ and dB = Aᵀ·g, read without transposing. */
function mm(a: Tensor, b: Tensor): Tensor {
  return record(matmulStored(a, b, false, false), "matmul", [a, b], (g) => [
    a.requiresGrad ? matmulStored(g, b, false, true) : null,
    b.requiresGrad ? matmulStored(a, g, true, false) : null,
  ]);
}

function mismatch(a: Tensor, b: Tensor): Error {
  return new Error(`matmul: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} cannot be multiplied`);
}

/**
 * Matrix product with `torch.matmul`'s rules: 1-D operands become a row (left) or a
 * column (right) that is dropped from the result, and leading dimensions broadcast as
 * batch dimensions. A batch against a matrix folds into one 2-D product.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  checkOperand("matmul", a, a);
  checkOperand("matmul", b, a);
  const [ra, rb] = [a.shape.length, b.shape.length];
  if (ra === 0 || rb === 0) {
    throw new Error(
      `matmul: both arguments need at least 1 dimension, got shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
  const k = a.shape[ra - 1] as number;
  if (k !== b.shape[rb === 1 ? 0 : rb - 2]) throw mismatch(a, b);
  if (ra === 2 && rb === 2) return mm(a, b);
  if (ra === 1 && rb === 1) return reshape(mm(reshape(a, [1, k]), reshape(b, [k, 1])), []);
  if (ra === 1) {
    const out = matmul(reshape(a, [1, k]), b);
    return reshape(out, [...sliceShape(out.shape, 0, -2), ...sliceShape(out.shape, -1)]);
  }
  if (rb === 1) {
    const out = matmul(a, reshape(b, [k, 1]));
    return reshape(out, sliceShape(out.shape, 0, -1));
  }
  const m = a.shape[ra - 2] as number;
  const n = b.shape[rb - 1] as number;
  if (rb === 2) {
    const folded = mm(reshape(a, [-1, k]), b);
    return reshape(folded, [...sliceShape(a.shape, 0, -1), n]);
  }
  // Both batched: out[..., i, j] = Σ_p a[..., i, p, 1] · b[..., 1, p, j], which
  // broadcasting and a sum express with their own gradients.
  const batch = broadcastShapes("matmul", sliceShape(a.shape, 0, -2), sliceShape(b.shape, 0, -2));
  const products = mul(
    reshape(a, [...sliceShape(a.shape, 0, -2), m, k, 1]),
    reshape(b, [...sliceShape(b.shape, 0, -2), 1, k, n]),
  );
  const out = sum(products, -2);
  if (out.shape.length !== batch.length + 2) throw mismatch(a, b);
  return out;
}
