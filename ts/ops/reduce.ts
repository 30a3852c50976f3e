import { record } from "../autograd/graph.js";
import { Tensor } from "../tensor.js";
import { checkOperand } from "./operands.js";

/** A tensor of `shape` filled with the single value of `g`: the gradient of a full reduction. */
function spread(g: Tensor, shape: readonly number[], factor: number): Tensor {
  const out = Tensor.zeros(g.backend, shape);
  g.backend.fill(out.storageFor("spread"), g.item() * factor);
  return out;
}

function reduction(op: string, a: Tensor, kernel: "sum" | "mean"): Tensor {
  checkOperand(op, a, a);
  const out = Tensor.zeros(a.backend, []);
  a.backend.fill(out.storageFor(op), a.backend[kernel](a.storageFor(op)));
  return out;
}

/** Sum of all elements, as a 0-dimensional tensor. */
export function sum(a: Tensor): Tensor {
  return record(reduction("sum", a, "sum"), "sum", [a], (g) => [spread(g, a.shape, 1)]);
}

/** Mean of all elements, as a 0-dimensional tensor (NaN when empty, as PyTorch). */
export function mean(a: Tensor): Tensor {
  return record(reduction("mean", a, "mean"), "mean", [a], (g) => [spread(g, a.shape, 1 / a.numel())]);
}
