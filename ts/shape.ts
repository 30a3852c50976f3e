/** Shape helpers shared by tensor creation and the ops. */

/** A number or arbitrarily nested arrays of numbers, as accepted by `tensor()`. */
export type NestedNumberArray = number | NestedNumberArray[];

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(", ")}]`;
}

export function shapesEqual(a: readonly number[], b: readonly number[]): boolean {
  // Tensors of one shape mostly share one frozen array, whose elements are slow to read.
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The product of `shape[start..end)`, the whole shape by default. */
export function numelOf(shape: readonly number[], start = 0, end = shape.length): number {
  let n = 1;
  for (let i = start; i < end; i++) n *= shape[i] as number;
  return n;
}

/**
 * `shape.slice(start, end)`. Tensor shapes are frozen arrays, and V8's `slice` takes a
 * slow path on those that costs more than a small kernel; this loop does not.
 */
export function sliceShape(shape: readonly number[], start: number, end = shape.length): number[] {
  const from = start < 0 ? Math.max(shape.length + start, 0) : Math.min(start, shape.length);
  const to = end < 0 ? Math.max(shape.length + end, 0) : Math.min(end, shape.length);
  const out: number[] = [];
  for (let i = from; i < to; i++) out.push(shape[i] as number);
  return out;
}

/** Row-major strides of a contiguous tensor of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= shape[d] as number;
  }
  return strides;
}

/** `dim` as an index into a shape of `rank` dimensions; negative counts from the end, as PyTorch. */
export function normalizeDim(op: string, dim: unknown, rank: number): number {
  const lowest = rank === 0 ? -1 : -rank;
  const highest = rank === 0 ? 0 : rank - 1;
  if (!Number.isInteger(dim) || (dim as number) < lowest || (dim as number) > highest) {
    throw new Error(
      `${op}: dimension out of range (expected to be in range of [${lowest}, ${highest}], but got ${String(dim)})`,
    );
  }
  return (dim as number) < 0 ? (dim as number) + Math.max(rank, 1) : (dim as number);
}

/** Throws unless every dimension is a non-negative integer. */
export function checkShape(op: string, shape: readonly number[]): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new Error(`${op}: shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
  return [...shape];
}

/** The shape of a nested array, throwing if it is ragged or holds something other than numbers. */
export function shapeOfNested(op: string, data: NestedNumberArray): number[] {
  const shape: number[] = [];
  let level: NestedNumberArray = data;
  while (Array.isArray(level)) {
    shape.push(level.length);
    if (level.length === 0) break;
    level = level[0] as NestedNumberArray;
  }
  const check = (value: NestedNumberArray, depth: number, path: string): void => {
    if (depth === shape.length) {
      if (typeof value !== "number")
        throw new Error(`${op}: expected a number at ${path}, got ${JSON.stringify(value)}`);
      return;
    }
    if (!Array.isArray(value) || value.length !== shape[depth]) {
      const got = Array.isArray(value) ? `an array of length ${value.length}` : JSON.stringify(value);
      throw new Error(`${op}: ragged nested array: expected length ${shape[depth]} at ${path}, got ${got}`);
    }
    value.forEach((v, i) => {
      check(v, depth + 1, `${path}[${i}]`);
    });
  };
  check(data, 0, "data");
  return shape;
}

/** Flattens a (checked) nested array in row-major order. */
export function flattenNested(data: NestedNumberArray, out: Float32Array): void {
  let i = 0;
  const walk = (v: NestedNumberArray): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else out[i++] = v;
  };
  walk(data);
}

/** Rebuilds a nested array of `shape` from row-major values. */
export function nestValues(values: Float32Array, shape: readonly number[]): NestedNumberArray {
  if (shape.length === 0) return values[0] as number;
  let offset = 0;
  const build = (depth: number): NestedNumberArray[] => {
    const size = shape[depth] as number;
    const out: NestedNumberArray[] = [];
    for (let i = 0; i < size; i++)
      out.push(depth === shape.length - 1 ? (values[offset++] as number) : build(depth + 1));
    return out;
  };
  return build(0);
}
