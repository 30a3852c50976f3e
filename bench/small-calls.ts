// Where the native backend's small calls should run: the addon's kernel against the js
// reference's on the same Float32Arrays, in ns per call, at sizes around the crossover,
// for every kernel that ts/backends/native.ts may send to JavaScript below a threshold:
//   npx tsx --conditions=source bench/small-calls.ts [--rounds n] [kernel ...]
// `native` is the backend as loaded by default, which should follow the faster of the
// two. A figure is the fastest of 10 repetitions of ~1 ms per round, the three columns
// taking turns, and the fastest of the rounds (3), each a pass over every case: other
// load on the 2 vCPUs only ever slows a repetition down, and a burst of it then spoils
// one round of a case, not all. Every op of every kernel runs before the timing, as in a
// process that has used them all: a loop's speed can depend on which ops it has seen.
// Last, per kernel, the work below which JavaScript won every case.
import type { Activation, Backend, BinaryOp, SgdStepOptions, Storage, UnaryOp } from "../ts/backend/backend.js";
import { jsKernels } from "../ts/backends/js/index.js";
import { loadNativeBackend } from "../ts/backends/native.js";
import { randomFloats } from "./measure.js";

type Call = (b: Backend) => unknown;
/** One measured case: its work in the threshold's unit, a label, and the call. */
interface Case {
  work: number;
  label: string;
  call: Call;
}

const addon = loadNativeBackend({ smallCallsInJs: false });
const native = loadNativeBackend();
const js: Backend = { ...addon, ...jsKernels("float32") };
const columns = [addon, js, native];

const on = (n: number, seed = n): Storage => addon.fromFloat32Array(randomFloats(n, seed));
const elementSizes = [1, 4, 16, 32, 48, 64, 80, 96, 112, 128, 160, 192, 256];

/** One case per size, with inputs made by `make`. */
const perSize = (make: (n: number) => Call): Case[] =>
  elementSizes.map((n) => ({ work: n, label: `${n}`, call: make(n) }));

const sgd = (momentum: number): SgdStepOptions => ({
  lr: 0.01,
  momentum,
  dampening: 0,
  weightDecay: 0,
  nesterov: false,
  maximize: false,
  firstStep: false,
});
const [plainSgd, momentumSgd] = [sgd(0), sgd(0.9)];

// Cubes, and thin shapes of the same work: the per-row and per-output costs of the js
// loops make a tall product slower than a cube of equal m·k·n.
const productShapes = [
  ...[1, 2, 3, 4, 5, 6, 8].map((s) => `${s}×${s}×${s}`),
  ..."16×1×1 1×16×1 1×1×16 32×1×1 8×4×1 1×4×8 16×2×1 1×16×2 16×4×1 4×16×1 64×1×1 1×100×2 100×2×1".split(" "),
].map((shape) => shape.split("×").map(Number) as [number, number, number]);

type Product = (
  b: Backend,
  a: Storage,
  x: Storage,
  bias: Storage,
  out: Storage,
  m: number,
  k: number,
  n: number,
) => void;

/** One case per shape: `a` m×k, `x` k×n (or n×k), `bias` n floats, `out` m×n. */
function products(product: Product): Case[] {
  return productShapes.map(([m, k, n]) => {
    const [a, x, bias, out] = [on(m * k), on(k * n, 7), on(n, 9), on(m * n)];
    return { work: m * k * n, label: `${m}×${k}×${n}`, call: (b: Backend) => product(b, a, x, bias, out, m, k, n) };
  });
}

const binaryOps: BinaryOp[] = ["add", "sub", "mul", "div"];
const unaryOps: UnaryOp[] = ["neg", "exp", "log", "sqrt", "abs", "sign", "relu", "sigmoid", "tanh"];
const activations: Activation[] = ["relu", "sigmoid", "tanh"];

const kernels: Record<string, Case[]> = {
  "binary sub": perSize((n) => {
    const [a, x, out] = [on(n), on(n, 7), on(n)];
    return (b) => b.binary("sub", a, x, out);
  }),
  "binary mul, b a scalar": perSize((n) => {
    const [a, x, out] = [on(n), on(1, 7), on(n)];
    return (b) => b.binary("mul", a, x, out);
  }),
  scale: perSize((n) => {
    const [a, out] = [on(n), on(n)];
    return (b) => b.scale(a, 0.5, out);
  }),
  sum: perSize((n) => {
    const a = on(n);
    return (b) => b.sum(a);
  }),
  mean: perSize((n) => {
    const a = on(n);
    return (b) => b.mean(a);
  }),
  "sumRows, 1 column": perSize((n) => {
    const [a, out] = [on(n), on(1)];
    return (b) => b.sumRows(a, out, n, 1);
  }),
  "sumRows, 4 columns": perSize((n) => {
    const rows = Math.max(1, n >> 2);
    const [a, out] = [on(rows * 4), on(4)];
    return (b) => b.sumRows(a, out, rows, 4);
  }),
  squaredError: perSize((n) => {
    const [a, x, diff] = [on(n), on(n, 7), on(n)];
    return (b) => b.squaredError(a, x, diff, 2 / n);
  }),
  sgdStep: perSize((n) => {
    const [param, grad, unused] = [on(n), on(n, 7), on(0)];
    return (b) => b.sgdStep(param, grad, unused, plainSgd);
  }),
  "sgdStep, momentum": perSize((n) => {
    const [param, grad, buf] = [on(n), on(n, 7), on(n, 9)];
    return (b) => b.sgdStep(param, grad, buf, momentumSgd);
  }),
  ...Object.fromEntries(
    unaryOps.map((op) => [
      `unary ${op}`,
      perSize((n) => {
        // Positive inputs, so that log and sqrt time numbers rather than NaN.
        const [a, out] = [addon.fromFloat32Array(randomFloats(n).map(Math.abs)), on(n)];
        return (b) => b.unary(op, a, out);
      }),
    ]),
  ),
  ...Object.fromEntries(
    activations.map((op) => [
      `activationBackward ${op}`,
      perSize((n) => {
        const [saved, g, out] = [on(n), on(n, 7), on(n)];
        return (b) => b.activationBackward(op, saved, g, out);
      }),
    ]),
  ),
  "matmul A·B": products((b, a, x, _, out, m, k, n) => b.matmul(a, x, out, m, k, n, false, false)),
  "matmul Aᵀ·B": products((b, a, x, _, out, m, k, n) => b.matmul(a, x, out, m, k, n, true, false)),
  "matmul A·Bᵀ": products((b, a, x, _, out, m, k, n) => b.matmul(a, x, out, m, k, n, false, true)),
  "matmul Aᵀ·Bᵀ": products((b, a, x, _, out, m, k, n) => b.matmul(a, x, out, m, k, n, true, true)),
  "linearForward, bias": products((b, x, w, bias, out, m, k, n) => b.linearForward(x, w, bias, out, m, k, n, false)),
  "linearBackward, all three gradients": productShapes.map(([m, k, n]) => {
    const [gradOut, x, w] = [on(m * n), on(m * k, 7), on(n * k, 9)];
    const grads = [on(m * k), on(n * k), on(n)] as const;
    const call = (b: Backend) => b.linearBackward(gradOut, x, w, ...grads, m, k, n);
    return { work: m * k * n, label: `${m}×${k}×${n}`, call };
  }),
};

/** Calls per repetition, so that the slowest column takes about 1 ms; warms every column up. */
function itersFor(call: Call): number {
  let perCall = 0;
  for (const b of columns) {
    for (let i = 0; i < 2000; i++) call(b);
    const start = performance.now();
    for (let i = 0; i < 2000; i++) call(b);
    perCall = Math.max(perCall, (performance.now() - start) / 2000);
  }
  return Math.max(100, Math.ceil(1 / perCall));
}

/** ns per call of each column, the fastest of `reps` repetitions of `iters` calls, the columns taking turns. */
function time(call: Call, iters: number, reps = 10): number[] {
  const best = columns.map(() => Number.POSITIVE_INFINITY);
  for (let r = 0; r < reps; r++) {
    for (const [c, b] of columns.entries()) {
      const start = performance.now();
      for (let i = 0; i < iters; i++) call(b);
      best[c] = Math.min(best[c] as number, ((performance.now() - start) / iters) * 1e6);
    }
  }
  return best;
}

/** Every op of the kernels that take one, on both paths, before any timing. */
function useEveryOp(): void {
  const [x, y, scalar, out] = [on(64), on(64, 7), on(1), on(64)];
  for (let i = 0; i < 1000; i++) {
    for (const b of columns) {
      for (const op of binaryOps) {
        b.binary(op, x, y, out);
        b.binary(op, x, scalar, out);
      }
      for (const op of unaryOps) b.unary(op, x, out);
      for (const op of activations) b.activationBackward(op, x, y, out);
    }
  }
}

const roundsFlag = process.argv.indexOf("--rounds");
const rounds = roundsFlag === -1 ? 3 : Number(process.argv[roundsFlag + 1]);
const only = process.argv.slice(2).filter((a, i, all) => a !== "--rounds" && all[i - 1] !== "--rounds");
const chosen = Object.entries(kernels).filter(([name]) => only.length === 0 || only.some((o) => name.startsWith(o)));

useEveryOp();
const cases = chosen.flatMap(([, cs]) => cs);
const iters = new Map(cases.map((c) => [c, itersFor(c.call)]));
const best = new Map(cases.map((c) => [c, columns.map(() => Number.POSITIVE_INFINITY)]));
for (let round = 0; round < rounds; round++) {
  process.stderr.write(`round ${round + 1} of ${rounds}\n`);
  for (const c of cases) {
    const ns = time(c.call, iters.get(c) as number);
    best.set(
      c,
      (best.get(c) as number[]).map((b, i) => Math.min(b, ns[i] as number)),
    );
  }
}

for (const [name, cs] of chosen) {
  console.log(`\n${name}\n\n| work | addon ns | js ns | native ns |\n| --- | --- | --- | --- |`);
  let jsWinsBelow = Number.POSITIVE_INFINITY;
  for (const c of cs) {
    const [addonNs = 0, jsNs = 0, nativeNs = 0] = best.get(c) as number[];
    console.log(`| ${c.label} | ${addonNs.toFixed(0)} | ${jsNs.toFixed(0)} | ${nativeNs.toFixed(0)} |`);
    if (jsNs >= addonNs) jsWinsBelow = Math.min(jsWinsBelow, c.work);
  }
  console.log(`\njs faster at every measured work below ${jsWinsBelow}`);
}
