import { noGrad, record } from "../autograd/graph.js";
import { scale } from "../ops/binary.js";
import { checkOperand } from "../ops/operands.js";
import { formatShape, shapesEqual } from "../shape.js";
import { scalarShape, Tensor } from "../tensor.js";

/** How a loss combines its elementwise values, as PyTorch's `reduction`. */
export type Reduction = "none" | "mean" | "sum";

const reductions: readonly Reduction[] = ["none", "mean", "sum"];

export function checkReduction(op: string, reduction: unknown): Reduction {
  // Compared one by one rather than searched for: every loss's forward checks it.
  if (reduction === "mean" || reduction === "sum" || reduction === "none") return reduction;
  throw new Error(`${op}: reduction must be one of ${reductions.join(", ")}, got ${JSON.stringify(reduction)}`);
}

/**
 * Checks a loss's operands. Input and target must have the same shape: PyTorch
 * broadcasts them with only a warning, which silently turns [N, 1] against [N] into
 * an N×N loss.
 */
function checkPair(op: string, input: Tensor, target: Tensor, reduction: Reduction): void {
  checkOperand(op, input, input);
  checkOperand(op, target, input);
  checkReduction(op, reduction);
  if (!shapesEqual(input.shape, target.shape)) {
    throw new Error(
      `${op}: input shape ${formatShape(input.shape)} and target shape ${formatShape(target.shape)} differ`,
    );
  }
}

function reduce(values: Tensor, reduction: Reduction): Tensor {
  if (reduction === "none") return values;
  return reduction === "sum" ? values.sum() : values.mean();
}

/**
 * Mean squared error, `(input − target)²` reduced, as `torch.nn.functional.mse_loss`.
 * One kernel computes the sum of squares and the gradient 2·(input − target)/N for a
 * reduced loss whose own gradient is 1, as after `loss.backward()`: backward then hands
 * that tensor on, and scales it by g otherwise: one call where the tutorial's step
 * made two.
 */
export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  const op = "mseLoss";
  checkPair(op, input, target, reduction);
  const backend = input.backend;
  const diff = Tensor.empty(backend, input.shape);
  const diffScale = reduction === "none" ? 1 : reduction === "mean" ? 2 / input.numel() : 2;
  const sumOfSquares = backend.squaredError(
    input.storageFor(op),
    target.storageFor(op),
    diff.storageFor(op),
    diffScale,
  );
  let out: Tensor;
  if (reduction === "none") {
    out = Tensor.empty(backend, input.shape);
    backend.binary("mul", diff.storageFor(op), diff.storageFor(op), out.storageFor(op));
  } else {
    out = Tensor.empty(backend, scalarShape);
    backend.fill(out.storageFor(op), reduction === "mean" ? sumOfSquares / input.numel() : sumOfSquares);
  }
  return record(
    out,
    op,
    [input, target],
    (g) => {
      let gradInput: Tensor;
      if (reduction === "none") {
        const product = Tensor.empty(backend, input.shape);
        backend.binary("mul", diff.storageFor(op), g.storageFor(op), product.storageFor(op));
        gradInput = scale(product, 2);
        product.dispose();
      } else {
        const factor = g.item();
        // Handed on as it is, diff becomes the engine's to free (see `GradFn.saved`).
        gradInput = factor === 1 ? diff : scale(diff, factor);
      }
      const gradTarget = target.requiresGrad ? scale(gradInput, -1) : null;
      if (input.requiresGrad) return [gradInput, gradTarget];
      if (gradInput !== diff) gradInput.dispose();
      return [null, gradTarget];
    },
    [diff],
  );
}

/** Mean absolute error, `|input − target|` reduced, as `torch.nn.functional.l1_loss`. */
export function l1Loss(input: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  checkPair("l1Loss", input, target, reduction);
  return reduce(input.sub(target).abs(), reduction);
}

/**
 * A loss whose elementwise values and input gradient come from closed forms, as
 * PyTorch's fused losses do: `values()` gives the per-element losses and
 * `gradient()` d(loss_i)/d(input_i); the reduction's factor is applied here.
 */
function fusedLoss(
  op: string,
  input: Tensor,
  reduction: Reduction,
  values: () => Tensor,
  gradient: () => Tensor,
): Tensor {
  const elementwise = noGrad(values);
  const out = reduction === "none" ? elementwise : noGrad(() => reduce(elementwise, reduction));
  if (out !== elementwise) elementwise.dispose();
  return record(out, op, [input], (g) =>
    noGrad(() => {
      const local = gradient();
      const scaled =
        reduction === "none" ? local.mul(g) : local.mul(g.item() / (reduction === "mean" ? input.numel() : 1));
      local.dispose();
      return [scaled];
    }),
  );
}

/** `max(t, floor)` without a clamp kernel: `relu(t − floor) + floor`. */
function atLeast(t: Tensor, floor: number): Tensor {
  return t.sub(floor).relu().add(floor);
}

/**
 * Binary cross-entropy of probabilities, as `torch.nn.functional.binary_cross_entropy`:
 * each log is clamped at −100, and the gradient is (x − y) / max(x(1 − x), 1e-12).
 */
export function binaryCrossEntropy(input: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  const op = "binaryCrossEntropy";
  checkPair(op, input, target, reduction);
  const outside = input.toFloat32Array().findIndex((x) => !(x >= 0 && x <= 1));
  if (outside !== -1) {
    throw new Error(
      `${op}: all elements of input should be between 0 and 1, got ${input.toFloat32Array()[outside]} at index ${outside}`,
    );
  }
  return fusedLoss(
    op,
    input,
    reduction,
    () => {
      const logX = atLeast(input.log(), -100);
      const logNotX = atLeast(input.neg().add(1).log(), -100);
      return target.mul(logX).add(target.neg().add(1).mul(logNotX)).neg();
    },
    () => input.sub(target).div(atLeast(input.mul(input.neg().add(1)), 1e-12)),
  );
}

/**
 * Binary cross-entropy on logits, as `torch.nn.functional.binary_cross_entropy_with_logits`:
 * `max(x, 0) − x·y + log(1 + e^−|x|)`, stable for any x, with gradient σ(x) − y.
 */
export function binaryCrossEntropyWithLogits(input: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  const op = "binaryCrossEntropyWithLogits";
  checkPair(op, input, target, reduction);
  return fusedLoss(
    op,
    input,
    reduction,
    () => input.relu().sub(input.mul(target)).add(input.abs().neg().exp().add(1).log()),
    () => input.sigmoid().sub(target),
  );
}

/**
 * Class indices as a float tensor on `logits`' backend (a target tensor itself, not a
 * copy), each checked to be an integer in [0, classes).
 */
function classIndices(
  op: string,
  target: Tensor | readonly number[] | Int32Array,
  n: number,
  classes: number,
  logits: Tensor,
): Tensor {
  let values: ArrayLike<number>;
  if (target instanceof Tensor) {
    checkOperand(op, target, logits);
    values = target.toFloat32Array();
  } else if (Array.isArray(target) || target instanceof Int32Array) {
    values = target;
  } else {
    throw new Error(
      `${op}: target must be a Tensor, an array of class indices or an Int32Array, got ${String(target)}`,
    );
  }
  if (values.length !== n) throw new Error(`${op}: expected ${n} target class indices, got ${values.length}`);
  for (let i = 0; i < n; i++) {
    const t = values[i] as number;
    if (!Number.isInteger(t) || t < 0 || t >= classes) {
      throw new Error(
        `${op}: target ${t} at index ${i} is out of bounds: class indices must be integers in [0, ${classes})`,
      );
    }
  }
  if (target instanceof Tensor) return target;
  // The constructor, not Float32Array.from, which walks an iterator (~0.2 µs per element).
  return new Tensor(logits.backend, logits.backend.fromFloat32Array(new Float32Array(values)), [n]);
}

/**
 * Cross-entropy of logits [N, C] (or [C]) against class indices, as
 * `torch.nn.functional.cross_entropy`: one fused kernel for log-softmax and the
 * negative log-likelihood, and one for its gradient softmax − one-hot.
 */
export function crossEntropy(
  input: Tensor,
  target: Tensor | readonly number[] | Int32Array | number,
  reduction: Reduction = "mean",
): Tensor {
  const op = "crossEntropy";
  checkOperand(op, input, input);
  checkReduction(op, reduction);
  if (input.shape.length !== 1 && input.shape.length !== 2) {
    throw new Error(`${op}: input must be [N, C] logits or [C] for one sample, got shape ${formatShape(input.shape)}`);
  }
  const single = input.shape.length === 1;
  const [n, c] = single ? [1, input.shape[0] as number] : [input.shape[0] as number, input.shape[1] as number];
  const targets = classIndices(op, typeof target === "number" ? [target] : target, n, c, input);
  const losses = Tensor.zeros(input.backend, single ? [] : [n]);
  if (n > 0) input.backend.crossEntropy(input.storageFor(op), targets.storageFor(op), losses.storageFor(op), n, c);
  const out = reduction === "none" ? losses : noGrad(() => reduce(losses, reduction));
  // The per-sample losses are not needed for backward once reduced.
  if (out !== losses) losses.dispose();
  // Indices made here from an array are the node's own; a target tensor is the caller's.
  const saved = targets === target ? undefined : [targets];
  return record(
    out,
    op,
    [input],
    (g) => {
      let perSample: Tensor;
      if (reduction === "none") {
        perSample = g.clone();
      } else {
        // Every sample's share of the reduced loss's gradient: one fill, no temporaries.
        perSample = Tensor.empty(g.backend, [n]);
        g.backend.fill(perSample.storageFor(op), g.item() / (reduction === "mean" ? n : 1));
      }
      const grad = Tensor.empty(input.backend, input.shape);
      if (n > 0) {
        input.backend.crossEntropyBackward(
          input.storageFor(op),
          targets.storageFor(op),
          perSample.storageFor(op),
          grad.storageFor(op),
          n,
          c,
        );
      }
      perSample.dispose();
      return [grad];
    },
    saved,
  );
}
