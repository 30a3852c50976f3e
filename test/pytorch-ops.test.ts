// Every Tensor op of API.md against PyTorch (test/fixtures/ops.json, written by
// scripts/make-fixtures.py): the output, and the gradient of (out * w).sum() with respect
// to every tensor input, on every backend, once through the method and once through the
// free function of the same name.
import { expect, test } from "vitest";
import { describeEachBackend } from "./backends.js";
import {
  api,
  expectTensor,
  expectValues,
  loadFixture,
  maxParts,
  type Tensor,
  type TensorData,
  tensorOf,
  valuesOf,
} from "./fixtures.js";

/** An argument as written in the fixture: a tensor operand, or a number/dims/shape/flag passed as is. */
type Arg = { tensor: TensorData } | number | number[] | boolean;

interface OpCase {
  name: string;
  /** The Tensor method (camelCase), "T" for the getter, "chain" for the composite case. */
  method: string;
  self: TensorData;
  args: Arg[];
  out: TensorData;
  /** max(dim) only: PyTorch's indices. */
  indices?: TensorData;
  /** Weight of the output in the loss; absent for 0-d outputs, whose own gradient is taken. */
  w?: TensorData;
  /** Gradients of self, then of each tensor argument. */
  grads: TensorData[];
  /** matmul only: "2d", or "1d"/"batched" for torch.matmul's 1-D and batched rules. */
  matmul?: string;
}

// Float32 everywhere; PyTorch and descent sum in different orders and use different
// exp/log/tanh approximations, which moves results by a few ulps (~1e-7 relative). The
// largest values here are ~10 (exp, 1/x² near 0.5), so 1e-5 absolute + 1e-4 relative is
// about a hundred times that noise, and far below any wrong formula.
const atol = 1e-5;
const rtol = 1e-4;

const fixture = loadFixture<OpCase>("ops.json");

function isTensorArg(a: Arg): a is { tensor: TensorData } {
  return typeof a === "object" && !Array.isArray(a);
}

type Call = (self: Tensor, args: (Tensor | number | number[] | boolean)[]) => unknown;

const num = (a: unknown): number => a as number;
const dims = (a: unknown): number | number[] | undefined => a as number | number[] | undefined;
const operand = (a: unknown): Tensor | number => a as Tensor | number;

/** The ops as Tensor methods. */
const methods: Record<string, Call> = {
  add: (s, [o]) => s.add(operand(o)),
  sub: (s, [o]) => s.sub(operand(o)),
  mul: (s, [o]) => s.mul(operand(o)),
  div: (s, [o]) => s.div(operand(o)),
  pow: (s, [e]) => s.pow(num(e)),
  neg: (s) => s.neg(),
  exp: (s) => s.exp(),
  log: (s) => s.log(),
  sqrt: (s) => s.sqrt(),
  abs: (s) => s.abs(),
  matmul: (s, [o]) => s.matmul(o as Tensor),
  relu: (s) => s.relu(),
  sigmoid: (s) => s.sigmoid(),
  tanh: (s) => s.tanh(),
  softmax: (s, [d]) => s.softmax(num(d)),
  logSoftmax: (s, [d]) => s.logSoftmax(num(d)),
  sum: (s, args) => (args.length === 0 ? s.sum() : s.sum(dims(args[0]), args[1] as boolean | undefined)),
  mean: (s, args) => (args.length === 0 ? s.mean() : s.mean(dims(args[0]), args[1] as boolean | undefined)),
  max: (s, args) => (args.length === 0 ? s.max() : s.max(num(args[0]))),
  reshape: (s, [shape]) => s.reshape(shape as number[]),
  transpose: (s, [d0, d1]) => s.transpose(num(d0), num(d1)),
  T: (s) => s.T,
  chain: (x, [y]) =>
    x
      .matmul(y as Tensor)
      .relu()
      .add(x.sum(1, true))
      .softmax(-1)
      .mul(x.exp().mean()),
};

/** The same ops as free functions (`add(a, b)`, `matmul(a, b)`, ...). */
const functions: Record<string, Call> = {
  add: (s, [o]) => api.add(s, operand(o)),
  sub: (s, [o]) => api.sub(s, operand(o)),
  mul: (s, [o]) => api.mul(s, operand(o)),
  div: (s, [o]) => api.div(s, operand(o)),
  pow: (s, [e]) => api.pow(s, num(e)),
  neg: (s) => api.neg(s),
  exp: (s) => api.exp(s),
  log: (s) => api.log(s),
  sqrt: (s) => api.sqrt(s),
  abs: (s) => api.abs(s),
  matmul: (s, [o]) => api.matmul(s, o as Tensor),
  relu: (s) => api.relu(s),
  sigmoid: (s) => api.sigmoid(s),
  tanh: (s) => api.tanh(s),
  softmax: (s, [d]) => api.softmax(s, num(d)),
  logSoftmax: (s, [d]) => api.logSoftmax(s, num(d)),
  sum: (s, args) => (args.length === 0 ? api.sum(s) : api.sum(s, dims(args[0]), args[1] as boolean | undefined)),
  mean: (s, args) => (args.length === 0 ? api.mean(s) : api.mean(s, dims(args[0]), args[1] as boolean | undefined)),
  max: (s, args) => (args.length === 0 ? api.max(s) : api.max(s, num(args[0]))),
  reshape: (s, [shape]) => api.reshape(s, shape as number[]),
  transpose: (s, [d0, d1]) => api.transpose(s, num(d0), num(d1)),
};

function runCase(c: OpCase, calls: Record<string, Call>): void {
  const call = calls[c.method];
  if (call === undefined) throw new Error(`no call for method ${c.method}`);
  const self = tensorOf(c.self, true);
  const leaves = [self];
  const args = c.args.map((a) => {
    if (!isTensorArg(a)) return a;
    const t = tensorOf(a.tensor, true);
    leaves.push(t);
    return t;
  });
  let out = call(self, args);
  if (c.method === "max") {
    const { values, indices } = maxParts(out);
    out = values;
    if (c.indices !== undefined) {
      expect(indices, "max(dim) returns the indices with the values").toBeDefined();
      expectValues("indices", valuesOf(indices), c.indices.data, 0, 0);
    }
  }
  expectTensor("output", out, c.out, atol, rtol);
  const result = out as Tensor;
  if (c.w === undefined) result.backward();
  else result.backward(tensorOf(c.w));
  leaves.forEach((leaf, i) => {
    const expected = c.grads[i] as TensorData;
    const label = i === 0 ? "grad of self" : `grad of argument ${i}`;
    expect(leaf.grad, `${label} exists`).not.toBeNull();
    expectTensor(label, leaf.grad, expected, atol, rtol);
  });
}

/** Test titles carry what kind of case this is, so a failing one says it at once. */
function title(c: OpCase): string {
  return c.matmul !== undefined && c.matmul !== "2d" ? `${c.name} (${c.matmul}, beyond 2-D)` : c.name;
}

describeEachBackend(`PyTorch ${fixture.torch} ops, as methods`, () => {
  for (const c of fixture.cases) test(title(c), () => runCase(c, methods));
});

describeEachBackend(`PyTorch ${fixture.torch} ops, as free functions`, () => {
  for (const c of fixture.cases) {
    if (c.method in functions) test(title(c), () => runCase(c, functions));
  }
});
