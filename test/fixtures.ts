// Loads the PyTorch fixtures of test/fixtures/ (written by scripts/make-fixtures.py) and
// compares descent's tensors with them. The tests reach descent through `api`, typed by
// API.md rather than by the current source, so they compile (and fail precisely, case by
// case) while parts of the API are still being written.
import { readFileSync } from "node:fs";
import { expect } from "vitest";
import * as descent from "../ts/index.js";

// ------------------------------------------------------------------ the API.md contract

/** A Tensor as API.md describes it. */
export interface Tensor {
  readonly shape: readonly number[];
  numel(): number;
  readonly requiresGrad: boolean;
  grad: Tensor | null;
  backward(grad?: Tensor): void;
  detach(): Tensor;
  requiresGrad_(flag?: boolean): Tensor;
  item(): number;
  toArray(): unknown;
  toFloat32Array(): Float32Array;
  add(o: Tensor | number): Tensor;
  sub(o: Tensor | number): Tensor;
  mul(o: Tensor | number): Tensor;
  div(o: Tensor | number): Tensor;
  pow(exponent: number): Tensor;
  neg(): Tensor;
  exp(): Tensor;
  log(): Tensor;
  sqrt(): Tensor;
  abs(): Tensor;
  matmul(o: Tensor): Tensor;
  relu(): Tensor;
  sigmoid(): Tensor;
  tanh(): Tensor;
  softmax(dim: number): Tensor;
  logSoftmax(dim: number): Tensor;
  sum(dim?: number | number[], keepdim?: boolean): Tensor;
  mean(dim?: number | number[], keepdim?: boolean): Tensor;
  /** API.md leaves the result of max(dim) open: a Tensor of values, or values with indices (see `maxParts`). */
  max(dim?: number): unknown;
  reshape(shape: number[]): Tensor;
  transpose(d0: number, d1: number): Tensor;
  readonly T: Tensor;
  dispose(): void;
}

export type Target = Tensor | number[] | Int32Array;

export interface Module {
  forward(...inputs: Tensor[]): Tensor;
  parameters(): Tensor[];
  namedParameters(): [string, Tensor][];
  zeroGrad(): void;
  train(mode?: boolean): Module;
  eval(): Module;
  stateDict(): Record<string, Tensor>;
  loadStateDict(sd: Record<string, Tensor | Float32Array>): void;
}

export interface Loss {
  forward(input: Tensor, target: Target): Tensor;
}

export type Options = Record<string, unknown>;
export type ParamGroupSpec = { params: Tensor[] } & Options;

export interface Optimizer {
  step(): void;
  zeroGrad(): void;
  paramGroups: ({ params: Tensor[]; lr: number } & Options)[];
  stateDict(): unknown;
  loadStateDict(sd: unknown): void;
}

export interface Scheduler {
  step(metric?: number): void;
  getLastLr(): number[];
}

type Ctor<A extends unknown[], R> = new (...args: A) => R;

interface Api {
  tensor(data: number | Float32Array, opts?: { shape?: number[]; requiresGrad?: boolean }): Tensor;
  noGrad<R>(fn: () => R): R;
  add(a: Tensor, b: Tensor | number): Tensor;
  sub(a: Tensor, b: Tensor | number): Tensor;
  mul(a: Tensor, b: Tensor | number): Tensor;
  div(a: Tensor, b: Tensor | number): Tensor;
  pow(a: Tensor, exponent: number): Tensor;
  neg(a: Tensor): Tensor;
  exp(a: Tensor): Tensor;
  log(a: Tensor): Tensor;
  sqrt(a: Tensor): Tensor;
  abs(a: Tensor): Tensor;
  matmul(a: Tensor, b: Tensor): Tensor;
  relu(a: Tensor): Tensor;
  sigmoid(a: Tensor): Tensor;
  tanh(a: Tensor): Tensor;
  softmax(a: Tensor, dim: number): Tensor;
  logSoftmax(a: Tensor, dim: number): Tensor;
  sum(a: Tensor, dim?: number | number[], keepdim?: boolean): Tensor;
  mean(a: Tensor, dim?: number | number[], keepdim?: boolean): Tensor;
  max(a: Tensor, dim?: number): unknown;
  reshape(a: Tensor, shape: number[]): Tensor;
  transpose(a: Tensor, d0: number, d1: number): Tensor;
  nn: {
    Linear: Ctor<[number, number, { bias?: boolean }?], Module>;
    Sequential: Ctor<Module[], Module>;
    ReLU: Ctor<[], Module>;
    Sigmoid: Ctor<[], Module>;
    Tanh: Ctor<[], Module>;
    Softmax: Ctor<[{ dim: number }], Module>;
    Dropout: Ctor<[{ p?: number }?], Module>;
    MSELoss: Ctor<[Options?], Loss>;
    L1Loss: Ctor<[Options?], Loss>;
    CrossEntropyLoss: Ctor<[Options?], Loss>;
    BCELoss: Ctor<[Options?], Loss>;
    BCEWithLogitsLoss: Ctor<[Options?], Loss>;
    utils: {
      clipGradNorm(params: Tensor[], maxNorm: number, normType?: number): number;
      clipGradValue(params: Tensor[], clipValue: number): void;
    };
  };
  optim: {
    SGD: Ctor<[Tensor[] | ParamGroupSpec[], Options], Optimizer>;
    Adam: Ctor<[Tensor[] | ParamGroupSpec[], Options?], Optimizer>;
    AdamW: Ctor<[Tensor[] | ParamGroupSpec[], Options?], Optimizer>;
    Adagrad: Ctor<[Tensor[] | ParamGroupSpec[], Options?], Optimizer>;
    RMSprop: Ctor<[Tensor[] | ParamGroupSpec[], Options?], Optimizer>;
    lrScheduler: Record<
      | "StepLR"
      | "MultiStepLR"
      | "ExponentialLR"
      | "CosineAnnealingLR"
      | "LinearLR"
      | "OneCycleLR"
      | "ReduceLROnPlateau"
      | "LambdaLR",
      Ctor<[Optimizer, Options?], Scheduler>
    >;
  };
}

/** descent's public API (`../ts/index.js`), seen through API.md's contract. */
export const api = descent as unknown as Api;

// ------------------------------------------------------------------ fixtures

/** A tensor as the fixtures write it: row-major data. */
export interface TensorData {
  shape: number[];
  data: number[];
}

export interface FixtureFile<C> {
  torch: string;
  cases: C[];
}

/** Reads test/fixtures/<name>. */
export function loadFixture<C>(name: string): FixtureFile<C> {
  return JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8")) as FixtureFile<C>;
}

/** A new descent tensor holding the fixture's values (on the active backend). */
export function tensorOf(t: TensorData, requiresGrad = false): Tensor {
  return api.tensor(Float32Array.from(t.data), { shape: [...t.shape], requiresGrad });
}

/** Flat values of a descent tensor or of anything array-like (indices may come back as Int32Array or number[]). */
export function valuesOf(x: unknown): ArrayLike<number> {
  if (typeof x === "object" && x !== null && "toFloat32Array" in x) return (x as Tensor).toFloat32Array();
  if (Array.isArray(x) || ArrayBuffer.isView(x)) return x as unknown as ArrayLike<number>;
  throw new Error(`expected a Tensor or an array, got ${String(x)}`);
}

/** Splits what `max` returned into values and indices: a Tensor, `{ values, indices }` or `[values, indices]`. */
export function maxParts(result: unknown): { values: Tensor; indices: unknown } {
  if (Array.isArray(result)) return { values: result[0] as Tensor, indices: result[1] };
  if (typeof result === "object" && result !== null && "values" in result) {
    const r = result as { values: Tensor; indices?: unknown };
    return { values: r.values, indices: r.indices };
  }
  return { values: result as Tensor, indices: undefined };
}

/**
 * Asserts |actual - expected| <= atol + rtol·|expected| elementwise (NaN matches NaN), as
 * `expectClose` of backends.ts, with `label` and the worst element in the message.
 */
export function expectValues(
  label: string,
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
): void {
  expect(actual.length, `${label}: number of elements`).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= worstExcess)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
    }
  }
  if (worst >= 0) {
    expect.fail(
      `${label}: element ${worst} is ${actual[worst]}, PyTorch ${expected[worst]} (atol ${atol}, rtol ${rtol}); ` +
        `got [${preview(actual)}], PyTorch [${preview(expected)}]`,
    );
  }
}

function preview(values: ArrayLike<number>): string {
  const shown = Array.from(values).slice(0, 8);
  return shown.map((v) => Number(v.toPrecision(7))).join(", ") + (values.length > 8 ? ", ..." : "");
}

/** Asserts a descent tensor has the fixture's shape and values. */
export function expectTensor(label: string, actual: unknown, expected: TensorData, atol: number, rtol: number): void {
  if (!(typeof actual === "object" && actual !== null && "shape" in actual && "toFloat32Array" in actual)) {
    expect.fail(`${label}: expected a Tensor, got ${String(actual)}`);
  }
  const t = actual as Tensor;
  expect([...t.shape], `${label}: shape`).toEqual(expected.shape);
  expectValues(label, t.toFloat32Array(), expected.data, atol, rtol);
}
