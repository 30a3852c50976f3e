import { activeBackend } from "./backend/select.js";
import { defaultGenerator, type Generator } from "./random.js";
import {
  checkShape,
  flattenNested,
  formatShape,
  type NestedNumberArray,
  numelOf,
  shapeOfNested,
  shapesEqual,
} from "./shape.js";
import { Tensor } from "./tensor.js";

/** Options every creation function takes. */
export interface TensorOptions {
  /** Shape for flat data (a Float32Array); nested arrays carry their own. */
  shape?: number[];
  requiresGrad?: boolean;
}

/** Options of the random creation functions. */
export interface RandomOptions extends TensorOptions {
  generator?: Generator;
}

function fromValues(values: Float32Array, shape: readonly number[], opts: TensorOptions | undefined): Tensor {
  const backend = activeBackend();
  return new Tensor(backend, backend.fromFloat32Array(values), shape, opts?.requiresGrad ?? false);
}

/** A tensor holding a copy of `data`: a number, nested arrays of numbers, or a Float32Array with `opts.shape`. */
export function tensor(data: number | NestedNumberArray | Float32Array, opts?: TensorOptions): Tensor {
  if (data instanceof Float32Array) {
    const shape = opts?.shape ? checkShape("tensor", opts.shape) : [data.length];
    if (numelOf(shape) !== data.length) {
      throw new Error(`tensor: shape ${formatShape(shape)} needs ${numelOf(shape)} values, got ${data.length}`);
    }
    return fromValues(data, shape, opts);
  }
  const shape = shapeOfNested("tensor", data);
  if (opts?.shape && !shapesEqual(opts.shape, shape)) {
    throw new Error(`tensor: data has shape ${formatShape(shape)} but opts.shape is ${formatShape(opts.shape)}`);
  }
  const values = new Float32Array(numelOf(shape));
  flattenNested(data, values);
  return fromValues(values, shape, opts);
}

/** A tensor of `shape` with every element `value`. */
export function full(shape: number[], value: number, opts?: TensorOptions): Tensor {
  const checked = checkShape("full", shape);
  return fromValues(new Float32Array(numelOf(checked)).fill(value), checked, opts);
}

export function zeros(shape: number[], opts?: TensorOptions): Tensor {
  return full(shape, 0, opts);
}

export function ones(shape: number[], opts?: TensorOptions): Tensor {
  return full(shape, 1, opts);
}

/** `[0, 1, ..., n - 1]`. */
export function arange(n: number, opts?: TensorOptions): Tensor {
  const [length] = checkShape("arange", [n]);
  return fromValues(
    Float32Array.from({ length: length as number }, (_, i) => i),
    [n],
    opts,
  );
}

function random(op: string, shape: number[], opts: RandomOptions | undefined, draw: (g: Generator) => number): Tensor {
  const checked = checkShape(op, shape);
  const generator = opts?.generator ?? defaultGenerator;
  const values = new Float32Array(numelOf(checked));
  for (let i = 0; i < values.length; i++) values[i] = draw(generator);
  return fromValues(values, checked, opts);
}

/** Uniform samples in [0, 1). */
export function rand(shape: number[], opts?: RandomOptions): Tensor {
  return random("rand", shape, opts, (g) => g.uniform());
}

/** Standard normal samples. */
export function randn(shape: number[], opts?: RandomOptions): Tensor {
  return random("randn", shape, opts, (g) => g.normal());
}
