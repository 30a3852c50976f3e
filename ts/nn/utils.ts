import { noGrad } from "../autograd/graph.js";
import { Tensor } from "../tensor.js";

function gradsOf(op: string, params: Iterable<Tensor> | Tensor): Tensor[] {
  const list = Symbol.iterator in Object(params) ? [...(params as Iterable<Tensor>)] : [params as Tensor];
  return list.flatMap((p) => {
    if (!(p instanceof Tensor)) throw new Error(`${op}: expected Tensors, got ${String(p)}`);
    // Not `.grad`, which would mark the gradient as seen by the user and stop zeroGrad freeing it.
    const grad = p.gradInternal();
    return grad === null ? [] : [grad];
  });
}

/**
 * Scales all gradients together so their joint `normType`-norm is at most `maxNorm`,
 * as `torch.nn.utils.clip_grad_norm_`; returns the norm before clipping.
 */
export function clipGradNorm(params: Iterable<Tensor> | Tensor, maxNorm: number, normType = 2): number {
  const op = "clipGradNorm";
  if (typeof maxNorm !== "number" || Number.isNaN(maxNorm))
    throw new Error(`${op}: maxNorm must be a number, got ${String(maxNorm)}`);
  if (typeof normType !== "number" || !(normType > 0))
    throw new Error(`${op}: normType must be positive, got ${String(normType)}`);
  const grads = gradsOf(op, params);
  if (grads.length === 0) return 0;
  const total = noGrad(() => {
    if (normType === Number.POSITIVE_INFINITY) return Math.max(...grads.map((g) => g.abs().max().item()));
    const sum = grads.reduce((acc, g) => acc + g.abs().pow(normType).sum().item(), 0);
    return sum ** (1 / normType);
  });
  const coefficient = maxNorm / (total + 1e-6);
  if (coefficient < 1) {
    noGrad(() => {
      for (const g of grads) g.assign(g.mul(coefficient).toFloat32Array());
    });
  }
  return total;
}

/** Clamps every gradient element to [−clipValue, clipValue], as `torch.nn.utils.clip_grad_value_`. */
export function clipGradValue(params: Iterable<Tensor> | Tensor, clipValue: number): void {
  const op = "clipGradValue";
  if (typeof clipValue !== "number" || !(clipValue >= 0))
    throw new Error(`${op}: clipValue must be a non-negative number, got ${String(clipValue)}`);
  for (const g of gradsOf(op, params)) {
    g.assign(g.toFloat32Array().map((v) => Math.min(Math.max(v, -clipValue), clipValue)));
  }
}
