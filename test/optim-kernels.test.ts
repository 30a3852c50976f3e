// The fused optimizer kernels (adamStep, adagradStep, rmspropStep) of the native and wasm
// backends against the js reference: the same start values and gradients, 5 steps, so
// the buffers carry state between steps; sizes 0, 1, odd, and off every SIMD width.
//
// Tolerance, atol 1e-6 + rtol 1e-5 for the parameter and every buffer, as sgdStep in
// kernels.test.ts: the kernels compute in float32, one rounding per operation as PyTorch
// does; the reference computes each element in float64 and rounds only what it stores,
// with float64 constants (beta, 1 - beta, bias corrections). So each step differs by a
// few float32 roundings (2^-24 relative) of quantities of magnitude about 1, which
// carry into later steps through the buffers: measured at most 5e-7 on values below 1.
// Signed buffers (first moments, momentum) may cancel to near 0, hence the atol; the
// momentum of centered RMSprop divides by sqrt(squareAvg − gradAvg²) and can grow large,
// hence the rtol.
import { beforeAll, describe, expect, test } from "vitest";
import type {
  AdagradStepOptions,
  AdamStepOptions,
  Backend,
  RmspropStepOptions,
  Storage,
} from "../ts/backend/backend.js";
import { createJsBackend } from "../ts/backends/js/index.js";
import { expectClose, nativeConfigs, testValues, wasmBuilds } from "./backends.js";

const reference = createJsBackend();
const values = testValues(4242);
const sizes = [0, 1, 3, 7, 8, 9, 17, 33, 100, 1001];
const steps = 5;

/** `n` values in [0, 1): second moments and sums are never negative. */
const nonNegative = (n: number): Float32Array => values(n).map(Math.abs);

const adamCases: Omit<AdamStepOptions, "step">[] = [
  {
    lr: 1e-3,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
    maximize: false,
    decoupledWeightDecay: false,
  },
  {
    lr: 1e-2,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: 0.1,
    amsgrad: true,
    maximize: false,
    decoupledWeightDecay: false,
  },
  {
    lr: 1e-2,
    beta1: 0.9,
    beta2: 0.999,
    eps: 1e-8,
    weightDecay: 0.01,
    amsgrad: false,
    maximize: true,
    decoupledWeightDecay: true,
  },
  {
    lr: 0.1,
    beta1: 0.5,
    beta2: 0.9,
    eps: 1e-6,
    weightDecay: 0.05,
    amsgrad: true,
    maximize: true,
    decoupledWeightDecay: true,
  },
];
const adagradCases: { options: Omit<AdagradStepOptions, "step">; initialSum: number }[] = [
  { options: { lr: 0.1, lrDecay: 0, weightDecay: 0, eps: 1e-10, maximize: false }, initialSum: 0 },
  { options: { lr: 0.1, lrDecay: 0.01, weightDecay: 0.05, eps: 1e-10, maximize: true }, initialSum: 0.1 },
  { options: { lr: 0.5, lrDecay: 0.5, weightDecay: 0, eps: 1e-6, maximize: false }, initialSum: 0 },
];
/** Every combination of the flags and of momentum on or off. */
const rmspropCases: RmspropStepOptions[] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((bits) => ({
  lr: 0.01,
  alpha: bits & 1 ? 0.9 : 0.99,
  eps: 1e-8,
  weightDecay: bits & 2 ? 0.05 : 0,
  momentum: bits & 4 ? 0.9 : 0,
  centered: (bits & 8) !== 0,
  maximize: (bits & 2) !== 0,
}));

/**
 * Runs `update` for `steps` steps on `backend` from the given start arrays (param first,
 * then buffers; an empty array stands for an unused buffer) and returns every array after.
 */
function run(
  backend: Backend,
  start: Float32Array[],
  grads: Float32Array[],
  update: (b: Backend, s: Storage[], grad: Storage, step: number) => void,
): Float32Array[] {
  const storages = start.map((a) => backend.fromFloat32Array(a));
  for (const [i, g] of grads.entries()) update(backend, storages, backend.fromFloat32Array(g), i + 1);
  return storages.map((s) => backend.toFloat32Array(s));
}

function expectSame(what: string, got: Float32Array[], want: Float32Array[]): void {
  for (const [i, g] of got.entries()) {
    expectClose(g, want[i] as Float32Array, 1e-6, 1e-5, `${what}: ${i === 0 ? "param" : `buffer ${i}`}`);
  }
}

function kernelSuite(name: string, load: () => Backend | Promise<Backend>): void {
  describe(`${name} optimizer kernels match the js reference`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await load();
    });
    /** Runs `update` on the backend under test and on the reference; `what` names the case. */
    const both = (what: string, start: Float32Array[], update: Parameters<typeof run>[3]): void => {
      const grads = Array.from({ length: steps }, () => values(start[0]?.length ?? 0));
      expectSame(what, run(backend, start, grads, update), run(reference, start, grads, update));
    };

    test(`adamStep: Adam and AdamW, amsgrad, maximize, over ${steps} steps`, () => {
      for (const o of adamCases) {
        for (const n of sizes) {
          const start = [values(n), values(n), nonNegative(n), o.amsgrad ? nonNegative(n) : new Float32Array(0)];
          both(`${JSON.stringify(o)} n=${n}`, start, (b, [p, m, v, vMax], g, step) =>
            b.adamStep(p as Storage, g, m as Storage, v as Storage, vMax as Storage, { ...o, step }),
          );
        }
      }
    });

    test(`adagradStep: lr decay, weight decay, maximize, over ${steps} steps`, () => {
      for (const { options, initialSum } of adagradCases) {
        for (const n of sizes) {
          const start = [values(n), new Float32Array(n).fill(initialSum)];
          both(`${JSON.stringify(options)} initialSum=${initialSum} n=${n}`, start, (b, [p, sum], g, step) =>
            b.adagradStep(p as Storage, g, sum as Storage, { ...options, step }),
          );
        }
      }
    });

    test(`rmspropStep: every combination of centered, momentum, weight decay, maximize, over ${steps} steps`, () => {
      for (const o of rmspropCases) {
        for (const n of sizes) {
          const unused = new Float32Array(0);
          // A zero grad_avg, as PyTorch starts it, keeps square_avg − grad_avg² positive.
          const start = [
            values(n),
            nonNegative(n),
            o.centered ? new Float32Array(n) : unused,
            o.momentum > 0 ? values(n) : unused,
          ];
          both(`${JSON.stringify(o)} n=${n}`, start, (b, [p, sq, ga, buf], g) =>
            b.rmspropStep(p as Storage, g, sq as Storage, ga as Storage, buf as Storage, o),
          );
        }
      }
    });

    test("a gradient that is the parameter's own storage is read before it is overwritten", () => {
      const start = values(37);
      const [got, want] = [backend, reference].map((b) => {
        const p = b.fromFloat32Array(start);
        const options = { ...(adamCases[1] as Omit<AdamStepOptions, "step">), step: 1 };
        b.adamStep(p, p, b.alloc(37), b.alloc(37), b.alloc(37), options);
        return b.toFloat32Array(p);
      });
      expectClose(got as Float32Array, want as Float32Array, 1e-6, 1e-5);
    });

    test("wrong lengths and shared buffers throw Errors naming the op and the values", () => {
      const b = backend;
      const s = (n: number) => b.alloc(n);
      const adam = { ...(adamCases[0] as Omit<AdamStepOptions, "step">), step: 1 };
      expect(() => b.adamStep(s(7), s(7), s(6), s(7), s(0), adam)).toThrow(
        /adamStep: expAvg has 6 elements but param has 7/,
      );
      expect(() => b.adamStep(s(7), s(5), s(7), s(7), s(0), adam)).toThrow(
        /adamStep: grad has 5 elements but param has 7/,
      );
      expect(() => b.adamStep(s(7), s(7), s(7), s(7), s(3), { ...adam, amsgrad: true })).toThrow(
        /adamStep: maxExpAvgSq has 3 elements but param has 7/,
      );
      const shared = s(4);
      expect(() => b.adamStep(s(4), s(4), shared, shared, s(0), adam)).toThrow(/adamStep: expAvgSq .*expAvg/);
      const adagrad = { ...(adagradCases[0]?.options as Omit<AdagradStepOptions, "step">), step: 1 };
      expect(() => b.adagradStep(s(9), s(9), s(8), adagrad)).toThrow(
        /adagradStep: stateSum has 8 elements but param has 9/,
      );
      const p = s(5);
      expect(() => b.adagradStep(p, s(5), p, adagrad)).toThrow(/adagradStep: stateSum .*param/);
      const rms = rmspropCases[15] as RmspropStepOptions;
      expect(() => b.rmspropStep(s(5), s(5), s(5), s(4), s(5), rms)).toThrow(
        /rmspropStep: gradAvg has 4 elements but param has 5/,
      );
      expect(() => b.rmspropStep(s(5), s(5), s(5), s(5), s(2), rms)).toThrow(
        /rmspropStep: momentumBuf has 2 elements but param has 5/,
      );
      // Unused buffers are not checked: without centered and momentum they may be empty.
      expect(() => b.rmspropStep(s(5), s(5), s(5), s(0), s(0), rmspropCases[0] as RmspropStepOptions)).not.toThrow();
    });
  });
}

for (const [name, load] of [...nativeConfigs, ...wasmBuilds]) kernelSuite(name, load);
