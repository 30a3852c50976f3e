import { record } from "../autograd/graph.js";
import { checkOperand } from "../ops/operands.js";
import { formatShape, numelOf, sliceShape } from "../shape.js";
import { Tensor } from "../tensor.js";

/** What `linearOp` derives from its operands' shapes, once they are checked. */
interface Layout {
  /** The shapes it was derived from, as the tensors hold them (never changed). */
  readonly input: readonly number[];
  readonly weight: readonly number[];
  readonly bias: readonly number[] | null;
  readonly rows: number;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** The output's shape: the held one once an output was made. */
  out: readonly number[];
}

/**
 * The layouts of the last few calls, a few layers' worth, newest first. Deriving one reads
 * the shapes' elements, which Node 20's optimizing compiler fetches from a frozen array
 * through a generic lookup each, and a new output shape is then looked up among the held
 * ones: ~100 ns, as much as the rest of a small layer's forward in JavaScript.
 */
const recentLayouts: Layout[] = [];
const recentLayoutsKept = 8;

/** The checked layout of `x·weightᵀ + bias`; throws naming `op` when the shapes do not fit. */
function layoutOf(op: string, x: Tensor, weight: Tensor, bias: Tensor | null): Layout {
  const biasShape = bias === null ? null : bias.shape;
  for (const recent of recentLayouts) {
    if (recent.input === x.shape && recent.weight === weight.shape && recent.bias === biasShape) return recent;
  }
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
  if (biasShape !== null && (biasShape.length !== 1 || biasShape[0] !== outFeatures)) {
    throw new Error(
      `${op}: bias of shape ${formatShape(biasShape)} does not match weight of shape ${formatShape(weight.shape)}`,
    );
  }
  const out = sliceShape(x.shape, 0, lastAxis);
  out.push(outFeatures);
  const layout = {
    input: x.shape,
    weight: weight.shape,
    bias: biasShape,
    rows: numelOf(x.shape, 0, lastAxis),
    inFeatures,
    outFeatures,
    out,
  };
  if (recentLayouts.length === recentLayoutsKept) recentLayouts.pop();
  recentLayouts.unshift(layout);
  return layout;
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
  if (bias) checkOperand(op, bias, x);
  const layout = layoutOf(op, x, weight, bias ?? null);
  const { rows, inFeatures, outFeatures } = layout;
  const backend = x.backend;
  // One kernel: the bias (and ReLU) are applied as each tile of the product is stored.
  const out = Tensor.empty(backend, layout.out);
  layout.out = out.shape;
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
