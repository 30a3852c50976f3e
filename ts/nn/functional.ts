import { record } from "../autograd/graph.js";
import { product } from "../ops/matmul.js";
import { checkOperand } from "../ops/operands.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";

export {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  l1Loss,
  mseLoss,
  type Reduction,
} from "./lossFunctions.js";

/**
 * `x·Wᵀ + b` over the last dimension of `x`, as `torch.nn.functional.linear`. The
 * weight is read transposed in place, and backward uses the transposed matmul kernels
 * (dx = g·W, dW = gᵀ·x) and a column sum for the bias, so nothing is copied.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  const op = "linear";
  checkOperand(op, x, x);
  checkOperand(op, weight, x);
  const [outFeatures, inFeatures] = weight.shape;
  const last = x.shape[x.shape.length - 1];
  if (weight.shape.length !== 2 || last !== inFeatures || outFeatures === undefined || inFeatures === undefined) {
    throw new Error(
      `${op}: input of shape ${formatShape(x.shape)} does not match weight of shape ${formatShape(weight.shape)}`,
    );
  }
  if (bias && (checkOperand(op, bias, x).shape.length !== 1 || bias.shape[0] !== outFeatures)) {
    throw new Error(
      `${op}: bias of shape ${formatShape(bias.shape)} does not match weight of shape ${formatShape(weight.shape)}`,
    );
  }
  const rows = inFeatures === 0 ? x.numel() : x.numel() / inFeatures;
  const outShape = [...x.shape];
  outShape[outShape.length - 1] = outFeatures;
  // One kernel: the bias is added as each tile of the product is stored.
  const out = Tensor.zeros(x.backend, outShape);
  if (out.numel() > 0) {
    x.backend.linearForward(
      x.storageFor(op),
      weight.storageFor(op),
      bias ? bias.storageFor(op) : null,
      out.storageFor(op),
      rows,
      inFeatures,
      outFeatures,
      false,
    );
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, op, inputs, (g) => {
    const grads: (Tensor | null)[] = [
      x.requiresGrad
        ? product(g, weight, { m: rows, k: outFeatures, n: inFeatures, transA: false, transB: false }, x.shape, op)
        : null,
      weight.requiresGrad
        ? product(g, x, { m: outFeatures, k: rows, n: inFeatures, transA: true, transB: false }, weight.shape, op)
        : null,
    ];
    if (bias) {
      const gb = Tensor.zeros(x.backend, [outFeatures]);
      if (bias.requiresGrad) x.backend.sumRows(g.storageFor(op), gb.storageFor(op), rows, outFeatures);
      grads.push(gb);
    }
    return grads;
  });
}
