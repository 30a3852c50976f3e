import { record } from "../autograd/graph.js";
import { normalizeDim, numelOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { checkOperand } from "./operands.js";

function softmaxOp(op: "softmax" | "logSoftmax", a: Tensor, dim: number): Tensor {
  checkOperand(op, a, a);
  if (dim === undefined) throw new Error(`${op}: dim is required (softmax over which dimension?)`);
  const d = normalizeDim(op, dim, a.shape.length);
  const outer = numelOf(a.shape, 0, d);
  const axisLen = a.shape.length === 0 ? 1 : (a.shape[d] as number);
  const inner = numelOf(a.shape, d + 1);
  const log = op === "logSoftmax";
  const out = Tensor.empty(a.backend, a.shape);
  if (out.numel() > 0) a.backend.softmax(a.storageFor(op), out.storageFor(op), outer, axisLen, inner, log);
  return record(out, op, [a], (g) => {
    const grad = Tensor.empty(g.backend, g.shape);
    if (grad.numel() > 0) {
      g.backend.softmaxBackward(out.storageFor(op), g.storageFor(op), grad.storageFor(op), outer, axisLen, inner, log);
    }
    return [grad];
  });
}

/** `exp(a) / Σ exp(a)` along `dim`, as `torch.softmax`. */
export function softmax(a: Tensor, dim: number): Tensor {
  return softmaxOp("softmax", a, dim);
}

/** `a − log Σ exp(a)` along `dim`, as `torch.log_softmax`, without forming the softmax. */
export function logSoftmax(a: Tensor, dim: number): Tensor {
  return softmaxOp("logSoftmax", a, dim);
}
