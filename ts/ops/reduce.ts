import { record } from "../autograd/graph.js";
import { formatShape, normalizeDim, numelOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { scale } from "./binary.js";
import { copyAs, expandTo } from "./layout.js";
import { checkOperand } from "./operands.js";

/** The dimensions to reduce, normalized, sorted and unique; all of them when `dim` is undefined. */
function resolveDims(op: string, dim: number | readonly number[] | undefined, rank: number): number[] {
  if (dim === undefined) return [...Array(rank).keys()];
  const dims = (typeof dim === "number" ? [dim] : [...dim]).map((d) => normalizeDim(op, d, rank));
  const unique = [...new Set(dims)].sort((x, y) => x - y);
  if (unique.length !== dims.length)
    throw new Error(`${op}: dim ${JSON.stringify(dim)} appears multiple times in the list of dims`);
  return unique;
}

function keptShape(shape: readonly number[], dims: readonly number[]): number[] {
  return shape.map((d, i) => (dims.includes(i) ? 1 : d));
}

/** Sum over `dims` with keepdim's shape, one kernel call per reduced dimension. */
function sumOver(a: Tensor, dims: readonly number[]): Tensor {
  let current = a;
  let shape = [...a.shape];
  for (let k = dims.length - 1; k >= 0; k--) {
    const d = dims[k] as number;
    const next = Tensor.zeros(a.backend, [...shape.slice(0, d), 1, ...shape.slice(d + 1)]);
    if (next.numel() > 0) {
      a.backend.sumAxis(
        current.storageFor("sum"),
        next.storageFor("sum"),
        numelOf(shape, 0, d),
        shape[d] as number,
        numelOf(shape, d + 1),
      );
    }
    if (current !== a) current.dispose();
    current = next;
    shape = [...next.shape];
  }
  return current === a ? a.clone() : current;
}

/** `t`'s values in `shape`; `t` itself, a temporary, is freed. */
function withShape(t: Tensor, shape: readonly number[]): Tensor {
  const out = copyAs(t, shape);
  t.dispose();
  return out;
}

/** `g` (shaped like the reduction's output) spread back over `input`'s shape, times `factor`. */
function spread(g: Tensor, inputShape: readonly number[], dims: readonly number[], factor: number): Tensor {
  if (dims.length === inputShape.length) {
    // A full reduction's gradient is one number: a fill, not a gather.
    const out = Tensor.zeros(g.backend, inputShape);
    if (out.numel() > 0) g.backend.fill(out.storageFor("backward"), g.item() * factor);
    return out;
  }
  const kept = copyAs(g, keptShape(inputShape, dims));
  const expanded = expandTo(kept, inputShape);
  kept.dispose();
  if (factor === 1) return expanded;
  const scaled = scale(expanded, factor);
  expanded.dispose();
  return scaled;
}

function reduction(
  op: "sum" | "mean",
  a: Tensor,
  dim: number | readonly number[] | undefined,
  keepdim: boolean,
): Tensor {
  checkOperand(op, a, a);
  const dims = resolveDims(op, dim, a.shape.length);
  const count = numelOf(dims.map((d) => a.shape[d] as number));
  const outShape = keepdim ? keptShape(a.shape, dims) : a.shape.filter((_, i) => !dims.includes(i));
  let out: Tensor;
  if (dims.length === a.shape.length) {
    // A full reduction: one kernel call over the contiguous storage.
    out = Tensor.zeros(a.backend, outShape);
    a.backend.fill(out.storageFor(op), a.backend[op](a.storageFor(op)));
  } else {
    const summed = withShape(sumOver(a, dims), outShape);
    out = op === "mean" ? scale(summed, 1 / count) : summed;
    if (out !== summed) summed.dispose();
  }
  const factor = op === "mean" ? 1 / count : 1;
  return record(out, op, [a], (g) => [spread(g, a.shape, dims, factor)]);
}

/** Sum over `dim` (all dimensions when omitted), as `torch.sum`. */
export function sum(a: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return reduction("sum", a, dim, keepdim);
}

/** Mean over `dim` (all dimensions when omitted), as `torch.mean`; NaN when empty. */
export function mean(a: Tensor, dim?: number | readonly number[], keepdim = false): Tensor {
  return reduction("mean", a, dim, keepdim);
}

/** `torch.max(a, dim)`'s result: usable as `[values, indices]` or by name. */
export type MaxResult = [Tensor, Tensor] & { values: Tensor; indices: Tensor };

/** A gradient that puts `values[i]` at input position `positions[i]` and 0 elsewhere. */
function scatter(like: Tensor, positions: ArrayLike<number>, values: ArrayLike<number>): Tensor {
  const data = new Float32Array(like.numel());
  for (let i = 0; i < positions.length; i++) {
    const at = positions[i] as number;
    data[at] = (data[at] as number) + (values[i] as number);
  }
  return new Tensor(like.backend, like.backend.fromFloat32Array(data), like.shape);
}

function maxAlong(a: Tensor, outer: number, axisLen: number, inner: number): [Tensor, Tensor] {
  const values = Tensor.zeros(a.backend, [outer * inner]);
  const indices = Tensor.zeros(a.backend, [outer * inner]);
  if (values.numel() > 0) {
    a.backend.maxAxis(a.storageFor("max"), values.storageFor("max"), indices.storageFor("max"), outer, axisLen, inner);
  }
  return [values, indices];
}

/**
 * The largest element, or with `dim` the largest along it with its index, as
 * `torch.max`. The gradient of the full maximum is shared evenly by every element
 * equal to it; along a dimension it goes to the index returned, as PyTorch does.
 */
export function max(a: Tensor): Tensor;
export function max(a: Tensor, dim: number, keepdim?: boolean): MaxResult;
export function max(a: Tensor, dim?: number, keepdim = false): Tensor | MaxResult {
  checkOperand("max", a, a);
  if (dim === undefined) {
    if (a.numel() === 0) throw new Error("max: cannot take the maximum of an empty tensor (shape [0]) without a dim");
    const [flat, index] = maxAlong(a, 1, a.numel(), 1);
    index.dispose();
    const value = withShape(flat, []);
    return record(value, "max", [a], (g) => {
      const top = value.item();
      const input = a.toFloat32Array();
      const ties = [...input.keys()].filter((i) => input[i] === top || (Number.isNaN(top) && Number.isNaN(input[i])));
      const share = g.item() / ties.length;
      return [
        scatter(
          a,
          ties,
          ties.map(() => share),
        ),
      ];
    });
  }
  const d = normalizeDim("max", dim, a.shape.length);
  const axisLen = a.shape.length === 0 ? 1 : (a.shape[d] as number);
  if (axisLen === 0) {
    throw new Error(`max: cannot take the maximum along dimension ${dim} of size 0 (shape ${formatShape(a.shape)})`);
  }
  const outer = numelOf(a.shape, 0, d);
  const inner = numelOf(a.shape, d + 1);
  const outShape = keepdim ? keptShape(a.shape, [d]) : a.shape.filter((_, i) => i !== d);
  const [flatValues, flatIndices] = maxAlong(a, outer, axisLen, inner);
  const values = withShape(flatValues, outShape);
  const indices = withShape(flatIndices, outShape);
  record(values, "max", [a], (g) => {
    const picked = indices.toFloat32Array();
    const positions = Array.from(picked, (k, i) => {
      const o = Math.floor(i / inner);
      return (o * axisLen + k) * inner + (i % inner);
    });
    return [scatter(a, positions, g.toFloat32Array())];
  });
  return Object.assign([values, indices] as [Tensor, Tensor], { values, indices });
}
