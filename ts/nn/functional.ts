import type { Tensor } from "../tensor.js";
import { linearOp } from "./linearOp.js";

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
  return linearOp(x, weight, bias, false);
}
