// Every kernel of the native and wasm backends against the js reference, on the same
// random inputs: shapes of 0 and 1, odd sizes and sizes that are not a multiple of any
// SIMD width. Tolerances are stated per kernel.
import { beforeAll, describe, expect, test } from "vitest";
import type { Backend, BinaryOp, SgdStepOptions, Storage } from "../ts/backend/backend.js";
import { createJsBackend } from "../ts/backends/js/index.js";
import { expectClose, expectUlp, nativeConfigs, testValues, wasmBuilds } from "./backends.js";

const reference = createJsBackend();
const values = testValues(12345);

type Run = (backend: Backend, ...inputs: Float32Array[]) => Float32Array;

/** Runs `run` on the backend under test and on the reference with the same inputs. */
function both(backend: Backend, run: Run, ...inputs: Float32Array[]): [Float32Array, Float32Array] {
  return [run(backend, ...inputs), run(reference, ...inputs)];
}

const matmulShapes: [number, number, number][] = [
  [0, 3, 4],
  [3, 0, 4],
  [3, 4, 0],
  [1, 1, 1],
  [1, 7, 1],
  [5, 1, 9],
  [7, 13, 17],
  [16, 16, 16],
  [33, 17, 65],
  [64, 64, 64],
  [100, 2, 1],
  [129, 67, 95],
  [256, 130, 70],
];
const binaryCases: [number, number][] = [
  [0, 0],
  [1, 1],
  [7, 7],
  [8, 8],
  [33, 33],
  [1001, 1001],
  [12, 3],
  [3, 12],
  [64, 8],
  [8, 64],
  [85, 17],
  [17, 85],
  [9, 1],
  [1, 9],
  [40, 1],
  [1, 40],
];
const sgdCases: Omit<SgdStepOptions, "firstStep">[] = [
  { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false },
  { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: true, maximize: false },
  { lr: 0.02, momentum: 0.5, dampening: 0.3, weightDecay: 0.1, nesterov: false, maximize: true },
];

function kernelSuite(name: string, load: () => Backend | Promise<Backend>): void {
  describe(`${name} kernels match the js reference`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await load();
    });
    const on = (b: Backend, data: Float32Array) => b.fromFloat32Array(data);
    /** Runs `body` on 1 thread and then on 2 (where the backend has threads), restoring the count. */
    const onOneAndTwoThreads = (body: (threads: number) => void) => {
      const before = backend.threads?.();
      try {
        for (const threads of [1, 2]) {
          backend.setThreads?.(threads);
          body(threads);
        }
      } finally {
        if (before !== undefined) backend.setThreads?.(before);
      }
    };
    /** Checks one product `op(a)·op(b)` of random operands against the reference. */
    const expectProductAgrees = (m: number, k: number, n: number, transA: boolean, transB: boolean) => {
      const [got, want] = both(
        backend,
        (b, a, bm) => {
          const out = b.alloc(m * n);
          b.matmul(on(b, a as Float32Array), on(b, bm as Float32Array), out, m, k, n, transA, transB);
          return b.toFloat32Array(out);
        },
        values(m * k),
        values(k * n),
      );
      expectClose(got, want, 2e-6 * k + 1e-6, 1e-5);
    };
    /** A Linear's m×k·(n×k)ᵀ: empty, thin, odd and large enough to split over threads. */
    const linearShapes = [
      [0, 3, 4],
      [3, 0, 4],
      [3, 4, 0],
      [1, 1, 1],
      [100, 2, 1],
      [5, 1, 9],
      [7, 13, 17],
      [33, 17, 65],
      [128, 100, 30],
      [300, 300, 300],
    ] as const;

    test("matmul in every transpose variant (atol 2e-6·k + 1e-6, rtol 1e-5)", () => {
      for (const [m, k, n] of matmulShapes) {
        for (const transA of [false, true]) {
          for (const transB of [false, true]) expectProductAgrees(m, k, n, transA, transB);
        }
      }
    });

    test("matmul large enough to split over threads, on 1 and 2 threads (atol 2e-6·k + 1e-6, rtol 1e-5)", () => {
      onOneAndTwoThreads((threads) => {
        expect(backend.threads?.() ?? 1).toBe(backend.setThreads ? threads : 1);
        for (const [m, k, n] of [
          [300, 300, 300],
          [97, 250, 301],
        ] as const) {
          for (const transA of [false, true]) {
            for (const transB of [false, true]) expectProductAgrees(m, k, n, transA, transB);
          }
        }
      });
    });

    test("linearForward: x·wᵀ + bias, with and without bias and relu (atol 2e-6·k + 1e-6, rtol 1e-5)", () => {
      onOneAndTwoThreads(() => {
        for (const [m, k, n] of linearShapes) {
          for (const withBias of [false, true]) {
            for (const relu of [false, true]) {
              const [got, want] = both(
                backend,
                (b, x, w, bias) => {
                  const out = b.alloc(m * n);
                  const biasSt = withBias ? on(b, bias as Float32Array) : null;
                  b.linearForward(on(b, x as Float32Array), on(b, w as Float32Array), biasSt, out, m, k, n, relu);
                  return b.toFloat32Array(out);
                },
                values(m * k),
                values(n * k),
                values(n),
              );
              expectClose(got, want, 2e-6 * k + 1e-6, 1e-5);
              if (relu) expect(got.every((v) => v >= 0)).toBe(true);
            }
          }
        }
      });
    });

    test("linearBackward: gradOut·w, gradOutᵀ·x and gradOut's column sums, each only when asked, from only the inputs it needs (atol 2e-6·(m + n) + 1e-6, rtol 1e-5)", () => {
      onOneAndTwoThreads(() => {
        for (const [m, k, n] of linearShapes) {
          for (const wanted of [0b111, 0b010, 0b101, 0b000]) {
            const [got, want] = both(
              backend,
              (b, g, x, w) => {
                // Outputs start as NaN: every element asked for must be written.
                const nan = (length: number) => b.fromFloat32Array(new Float32Array(length).fill(Number.NaN));
                const grads = [m * k, n * k, n].map((length, i) => (wanted & (1 << i) ? nan(length) : null));
                const [gradX = null, gradW = null, gradBias = null] = grads;
                const [gSt, xSt, wSt] = [g, x, w].map((v) => on(b, v as Float32Array)) as [Storage, Storage, Storage];
                // Two of the choices leave out the input whose gradient is not asked for, as linear's backward does.
                const spare = wanted === 0b010 || wanted === 0b101;
                b.linearBackward(
                  gSt,
                  spare && !gradW ? null : xSt,
                  spare && !gradX ? null : wSt,
                  gradX,
                  gradW,
                  gradBias,
                  m,
                  k,
                  n,
                );
                return Float32Array.from(grads.flatMap((grad) => (grad ? Array.from(b.toFloat32Array(grad)) : [])));
              },
              values(m * n),
              values(m * k),
              values(n * k),
            );
            expect(got.length).toBe(want.length);
            expectClose(got, want, 2e-6 * (m + n) + 1e-6, 1e-5);
          }
        }
      });
    });

    test("linearBackward refuses two gradients in one storage", () => {
      const square = backend.alloc(4);
      const inputs = [backend.alloc(4), backend.alloc(4), backend.alloc(4)] as const;
      expect(() => backend.linearBackward(...inputs, square, square, null, 2, 2, 2)).toThrow(
        "linearBackward: gradX and gradW share memory",
      );
      const pair = backend.alloc(2);
      expect(() =>
        backend.linearBackward(backend.alloc(4), backend.alloc(2), backend.alloc(2), null, pair, pair, 2, 1, 2),
      ).toThrow("linearBackward: gradW and gradBias share memory");
    });

    test("linearForward keeps NaN through relu and writes every element", () => {
      const [m, k, n] = [2, 3, 4];
      const x = Float32Array.from([1, 2, NaN, -1, -2, -3]);
      const w = values(n * k);
      const [got, want] = both(
        backend,
        (b, xs, ws, bias) => {
          const out = b.fromFloat32Array(new Float32Array(m * n).fill(123));
          b.linearForward(
            on(b, xs as Float32Array),
            on(b, ws as Float32Array),
            on(b, bias as Float32Array),
            out,
            m,
            k,
            n,
            true,
          );
          return b.toFloat32Array(out);
        },
        x,
        w,
        Float32Array.from([0.5, -0.5, 100, -100]),
      );
      expect(Array.from(got.slice(0, n)).every(Number.isNaN)).toBe(true);
      expectClose(got.slice(n), want.slice(n), 1e-5, 1e-5);
    });

    // Exact: one rounding per element, and the float64 result of two float32 operands rounds to
    // the correctly rounded float32 result (53 >= 2·24 + 2 bits), so the reference is exact too.
    test("binary add, sub, mul and div with cyclic broadcasting (exact)", () => {
      for (const op of ["add", "sub", "mul", "div"] as BinaryOp[]) {
        for (const [la, lb] of binaryCases) {
          const [got, want] = both(
            backend,
            (b, x, y) => {
              const out = b.alloc(Math.max(la, lb));
              b.binary(op, on(b, x as Float32Array), on(b, y as Float32Array), out);
              return b.toFloat32Array(out);
            },
            values(la),
            values(lb),
          );
          expectClose(got, want, 0);
        }
      }
    });

    test("binary div at the edges: zeros of both signs, infinities, NaN, subnormal and overflowing quotients (exact)", () => {
      const edges = [0, -0, 1, -1, Infinity, -Infinity, NaN, 3e38, -3e38, 1e-45, 1e-38, 0.1, 7];
      // Every edge value over every edge value: x repeats each value, y cycles through all of them.
      const x = Float32Array.from(edges.flatMap((v) => edges.map(() => v)));
      const y = Float32Array.from(edges.flatMap(() => edges));
      for (const [a, b] of [
        [x, y],
        [x, Float32Array.from(edges)],
        [Float32Array.from([-0]), y],
      ] as const) {
        const [got, want] = both(
          backend,
          (be, p, q) => {
            const out = be.alloc(Math.max(a.length, b.length));
            be.binary("div", on(be, p as Float32Array), on(be, q as Float32Array), out);
            return be.toFloat32Array(out);
          },
          a,
          b,
        );
        expectUlp(got, want, 0);
      }
    });

    test("binary may write into its first input (in-place accumulation)", () => {
      const a = values(37);
      const g = values(37);
      const storage = on(backend, a);
      backend.binary("add", storage, on(backend, g), storage);
      expectClose(
        backend.toFloat32Array(storage),
        a.map((x, i) => Math.fround(x + (g[i] as number))),
        0,
      );
    });

    test("scale (exact)", () => {
      for (const n of [0, 1, 7, 8, 9, 1000]) {
        const [got, want] = both(
          backend,
          (b, x) => {
            const out = b.alloc(n);
            b.scale(on(b, x as Float32Array), -0.37, out);
            return b.toFloat32Array(out);
          },
          values(n),
        );
        expectClose(got, want, 0);
      }
    });

    test("sum and mean (atol 1e-6·n, rtol 1e-5; mean of nothing is NaN)", () => {
      for (const n of [0, 1, 3, 8, 15, 16, 17, 1000, 100_003]) {
        const x = values(n);
        expectClose([backend.sum(on(backend, x))], [reference.sum(x)], 1e-6 * n, 1e-5);
        expectClose([backend.mean(on(backend, x))], [reference.mean(x)], 1e-6, 1e-5);
      }
      expect(backend.mean(backend.alloc(0))).toBeNaN();
    });

    test("sumRows (atol 1e-6·rows)", () => {
      for (const [rows, cols] of [
        [0, 3],
        [3, 0],
        [1, 1],
        [5, 1],
        [1, 5],
        [7, 9],
        [100, 17],
        [33, 64],
      ] as const) {
        const [got, want] = both(
          backend,
          (b, x) => {
            const out = b.alloc(cols);
            b.sumRows(on(b, x as Float32Array), out, rows, cols);
            return b.toFloat32Array(out);
          },
          values(rows * cols),
        );
        expectClose(got, want, 1e-6 * rows + 1e-7);
      }
    });

    test("sgdStep over 5 steps with momentum, nesterov, dampening, weight decay, maximize (atol 1e-6, rtol 1e-5)", () => {
      for (const options of sgdCases) {
        for (const n of [1, 7, 8, 33, 1000]) {
          const start = values(n);
          const grads = [1, 2, 3, 4, 5].map(() => values(n));
          const [got, want] = both(backend, (b) => {
            const param = on(b, start);
            const buf = b.alloc(options.momentum !== 0 ? n : 0);
            grads.forEach((g, step) => {
              b.sgdStep(param, on(b, g), buf, { ...options, firstStep: step === 0 });
            });
            return b.toFloat32Array(param);
          });
          expectClose(got, want, 1e-6, 1e-5);
        }
      }
    });
  });
}

for (const [name, load] of [...nativeConfigs, ...wasmBuilds]) kernelSuite(name, load);
