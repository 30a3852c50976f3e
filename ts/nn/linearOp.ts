import { record } from "../autograd/graph.js";
import { checkOperand } from "../ops/operands.js";
import { formatShape, numelOf, sliceShape } from "../shape.js";
import { Tensor } from "../tensor.js";

/**
 * Recent output shapes by input shape (the array a tensor holds) and output width, a few
 * layers' worth, newest first: building a new one and finding its held twin costs ~50 ns,
 * as much as the rest of a small layer's forward in JavaScript.
 */
const recentOutShapes: { input: readonly number[]; width: number; out: readonly number[] }[] = [];
const recentOutShapesKept = 8;

/** The output shape of a linear layer `width` wide on an input of `inputShape`. */
function linearOutShape(inputShape: readonly number[], width: number): readonly number[] {
  for (const recent of recentOutShapes) {
    if (recent.input === inputShape && recent.width === width) return recent.out;
  }
  const shape = sliceShape(inputShape, 0, inputShape.length - 1);
  shape.push(width);
  return shape;
}

/** Keeps `out`, the held output shape of a linear layer `width` wide on `input`, as recent. */
function rememberOutShape(input: readonly number[], width: number, out: readonly number[]): void {
  if (recentOutShapes.length === recentOutShapesKept) recentOutShapes.pop();
  recentOutShapes.unshift({ input, width, out });
}

/**
 * `x·Wᵀ + b`, then `max(·, 0)` when `relu`, in one node: the kernel adds the bias and
 * applies the ReLU as it stores each tile of the product. Backward masks the gradient
 * by the output (positive exactly where the pre-activation was) before the linear
 * backward. `nn.functional.linear` is the plain case; `Sequential` fuses a Linear
 * followed by a ReLU into the other.
 */
export function linearOp(x: Tensor, weight: Tensor, bias: Tensor | null | undefined, relu: boolean): Tensor {
  const op = relu ? "linearRelu" : "linear";
  checkOperand(op, x, x);
  checkOperand(op, weight, x);
  // Indexed, not destructured or spread: iterating a frozen shape is a generic call per element.
  const outFeatures = weight.shape[0];
  const inFeatures = weight.shape[1];
  const lastAxis = x.shape.length - 1;
  if (
    weight.shape.length !== 2 ||
    x.shape[lastAxis] !== inFeatures ||
    outFeatures === undefined ||
    inFeatures === undefined
  ) {
    throw new Error(
      `${op}: input of shape ${formatShape(x.shape)} does not match weight of shape ${formatShape(weight.shape)}`,
    );
  }
  if (bias && (checkOperand(op, bias, x).shape.length !== 1 || bias.shape[0] !== outFeatures)) {
    throw new Error(
      `${op}: bias of shape ${formatShape(bias.shape)} does not match weight of shape ${formatShape(weight.shape)}`,
    );
  }
  const backend = x.backend;
  const rows = numelOf(x.shape, 0, lastAxis);
  // One kernel: the bias (and ReLU) are applied as each tile of the product is stored.
  const outShape = linearOutShape(x.shape, outFeatures);
  const out = Tensor.empty(backend, outShape);
  // A new shape is held as a copy: remembered, it is found next time.
  if (out.shape !== outShape) rememberOutShape(x.shape, outFeatures, out.shape);
  if (out.numel() > 0) {
    backend.linearForward(
      x.storageFor(op),
      weight.storageFor(op),
      bias ? bias.storageFor(op) : null,
      out.storageFor(op),
      rows,
      inFeatures,
      outFeatures,
      relu,
    );
  }
  const inputs = bias ? [x, weight, bias] : [x, weight];
  return record(out, op, inputs, (gradOut) => {
    let g = gradOut;
    if (relu) {
      g = Tensor.empty(backend, out.shape);
      backend.activationBackward("relu", out.storageFor(op), gradOut.storageFor(op), g.storageFor(op));
    }
    const gradX = x.requiresGrad ? Tensor.empty(backend, x.shape) : null;
    const gradW = weight.requiresGrad ? Tensor.empty(backend, weight.shape) : null;
    const gradBias = bias?.requiresGrad ? Tensor.empty(backend, bias.shape) : null;
    if (gradX || gradW || gradBias) {
      backend.linearBackward(
        g.storageFor(op),
        gradW ? x.storageFor(op) : null,
        gradX ? weight.storageFor(op) : null,
        gradX?.storageFor(op) ?? null,
        gradW?.storageFor(op) ?? null,
        gradBias?.storageFor(op) ?? null,
        rows,
        inFeatures,
        outFeatures,
      );
    }
    if (g !== gradOut) g.dispose();
    return [gradX, gradW, gradBias];
  });
}
