import { record } from "../autograd/graph.js";
import { checkShape, formatShape, normalizeDim, numelOf, shapesEqual, stridesOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { checkOperand } from "./operands.js";

/**
 * A contiguous tensor of `outShape` read from `a` through `strides` (one per output
 * dimension): stride 0 repeats a dimension, permuted strides transpose.
 */
export function gather(a: Tensor, outShape: readonly number[], strides: readonly number[]): Tensor {
  const out = Tensor.zeros(a.backend, outShape);
  if (out.numel() > 0) a.backend.stridedCopy(a.storageFor("gather"), out.storageFor("gather"), outShape, strides);
  return out;
}

/** `a` repeated along the dimensions where its (left-padded) shape has 1 and `shape` does not. */
export function expandTo(a: Tensor, shape: readonly number[]): Tensor {
  const rank = shape.length;
  const padded = [...new Array<number>(rank - a.shape.length).fill(1), ...a.shape];
  const contiguous = stridesOf(padded);
  return gather(
    a,
    shape,
    padded.map((d, i) => (d === 1 && shape[i] !== 1 ? 0 : (contiguous[i] as number))),
  );
}

/** Sums `g` over the dimensions that broadcasting expanded, giving a tensor of `shape`. */
export function sumToShape(g: Tensor, shape: readonly number[]): Tensor {
  if (shapesEqual(g.shape, shape)) return g.clone();
  const lead = g.shape.length - shape.length;
  let current = g;
  let currentShape = [...g.shape];
  // From the last dimension to the first, so earlier indices stay valid.
  for (let d = g.shape.length - 1; d >= 0; d--) {
    const target = d < lead ? 1 : (shape[d - lead] as number);
    if (currentShape[d] === target) continue;
    const outer = numelOf(currentShape, 0, d);
    const inner = numelOf(currentShape, d + 1);
    const reducedShape = [...currentShape.slice(0, d), 1, ...currentShape.slice(d + 1)];
    const reduced = Tensor.zeros(g.backend, reducedShape);
    if (reduced.numel() > 0) {
      g.backend.sumAxis(
        current.storageFor("sumToShape"),
        reduced.storageFor("sumToShape"),
        outer,
        currentShape[d] as number,
        inner,
      );
    }
    if (current !== g) current.dispose();
    current = reduced;
    currentShape = reducedShape;
  }
  const out = copyAs(current, shape);
  if (current !== g) current.dispose();
  return out;
}

/** A copy of `a`'s values in `shape` (same element count), outside autograd. */
export function copyAs(a: Tensor, shape: readonly number[]): Tensor {
  const out = Tensor.zeros(a.backend, shape);
  a.backend.copy(a.storageFor("reshape"), out.storageFor("reshape"));
  return out;
}

/** The same values in a new shape; one dimension may be -1 and is then inferred. */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  checkOperand("reshape", a, a);
  if (!Array.isArray(shape)) throw new Error(`reshape: shape must be an array, got ${String(shape)}`);
  const inferAt = shape.indexOf(-1);
  const known = shape.filter((_, i) => i !== inferAt);
  checkShape("reshape", known);
  const resolved = [...shape];
  if (inferAt !== -1) {
    const rest = numelOf(known);
    if (rest === 0 || a.numel() % rest !== 0) {
      throw new Error(`reshape: shape ${formatShape(shape)} is invalid for input of size ${a.numel()}`);
    }
    resolved[inferAt] = a.numel() / rest;
  }
  if (numelOf(resolved) !== a.numel()) {
    throw new Error(`reshape: shape ${formatShape(shape)} is invalid for input of size ${a.numel()}`);
  }
  return record(copyAs(a, resolved), "reshape", [a], (g) => [copyAs(g, a.shape)]);
}

/** `a` with its dimensions reordered: output dimension i is input dimension `perm[i]`. */
function permute(a: Tensor, perm: readonly number[], op: string): Tensor {
  const strides = stridesOf(a.shape);
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inverse[p] = i;
  });
  const out = gather(
    a,
    perm.map((p) => a.shape[p] as number),
    perm.map((p) => strides[p] as number),
  );
  return record(out, op, [a], (g) => [permuteValues(g, inverse)]);
}

function permuteValues(g: Tensor, perm: readonly number[]): Tensor {
  const strides = stridesOf(g.shape);
  return gather(
    g,
    perm.map((p) => g.shape[p] as number),
    perm.map((p) => strides[p] as number),
  );
}

/** `a` with dimensions `dim0` and `dim1` swapped, as `torch.transpose` (a copy, not a view). */
export function transpose(a: Tensor, dim0: number, dim1: number): Tensor {
  checkOperand("transpose", a, a);
  const rank = a.shape.length;
  const d0 = normalizeDim("transpose", dim0, rank);
  const d1 = normalizeDim("transpose", dim1, rank);
  const perm = a.shape.map((_, i) => (i === d0 ? d1 : i === d1 ? d0 : i));
  return permute(a, perm, "transpose");
}

/** All dimensions reversed, as PyTorch's `.T` (for a matrix, its transpose). */
export function reverseDims(a: Tensor): Tensor {
  checkOperand("T", a, a);
  return permute(
    a,
    a.shape.map((_, i) => a.shape.length - 1 - i),
    "T",
  );
}
