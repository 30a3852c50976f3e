// The kernels behind activations, powers, strided views, reductions over an axis, softmax
// cross-entropy and squared error: native and wasm against the js reference on the same inputs, with
// sizes of 0 and 1, odd sizes, sizes off every SIMD width, a few thousand elements, and
// edge values. Tolerances, in float32 roundings (u = 2^-24) or units in the last place:
// - a copy, a selection, a sign flip, |x|, sign, relu, sqrt: exact (sqrt is correctly
//   rounded in float32 and, rounded once from float64, in the reference);
// - exp, log, pow: 2 ulp (a float32 kernel within 1.5 ulp of the truth, the reference 0.5);
// - sigmoid, tanh: 4 ulp (an exp, then an add and a divide, each rounding once more);
// - activation backward: a product of three roundings, rtol 4u; tanh's 1 − y² may cancel,
//   so also atol 4u·|g|, with |g| < 1 here;
// - sums of n positive terms (the softmax normaliser) are off by at most (n − 1)u relative
//   in any summation order, so (n + 4)u with the exps' own errors; a float32 x − max is off
//   by up to |x − max|·u, which exp turns into a relative error, so logits spanning a range r
//   add r·u; sums of terms of either sign get atol 1e-6 per term of magnitude ≤ 1, as sum
//   and sumRows in kernels.test.ts;
// - max, its indices: exact;
// - squared error: the difference exact, its sum of squares (n + 3)u relative (a rounded
//   difference squared and rounded, then summed in any order).
import { beforeAll, describe, expect, test } from "vitest";
import type { Activation, Backend, Storage, UnaryOp } from "../ts/backend/backend.js";
import { createJsBackend } from "../ts/backends/js/index.js";
import { expectClose, expectUlp, nativeConfigs, testValues, unaryUlp, wasmBuilds } from "./backends.js";

const u = 2 ** -24;
const reference = createJsBackend();
const values = testValues(777);

const scaled = (x: Float32Array, s: number): Float32Array => x.map((v) => v * s);
const concat = (...parts: ArrayLike<number>[]): Float32Array => Float32Array.from(parts.flatMap((p) => Array.from(p)));

/** Both signs over the whole float32 exponent range, subnormals included. */
function wide(n: number): Float32Array {
  const exponents = values(n);
  return values(n).map((m, i) => Math.sign(m) * (1 + Math.abs(m)) * 2 ** Math.round((exponents[i] as number) * 150));
}

/** Values where the transcendental functions overflow, underflow, saturate or change method. */
const specials = [
  ...[0, -0, Infinity, -Infinity, NaN, 1, -1, 0.5, -0.5, 2, 1e-45, -1e-45, 1.1754944e-38, 1e-30, -1e-30],
  ...[1e-8, -1e-8, 1e-4, -3e-3, 0.54, -0.54, 0.625, 9, -9, 15, -15, 17, -17, 20, -20, 1e10, -1e10],
  ...[88.72, 88.73, 89, -87.33, -88.7, -103.97, -104, -150, 3.4028235e38, -3.4028235e38],
];
const lengths = [0, 1, 3, 7, 8, 15, 16, 17, 31, 33, 100, 1023, 4099];

const inputScale: Partial<Record<UnaryOp, number>> = { exp: 100, log: 1000, sigmoid: 40, tanh: 12 };

/** Per op, random inputs of every length at a scale that exercises the op, then wide values and the specials. */
function unaryInputs(op: UnaryOp): Float32Array[] {
  const scale = inputScale[op] ?? 4;
  const inputs = lengths.map((n) => scaled(values(n), scale));
  // The specials behind 0, 1, 5 and 13 random values land in both SIMD bodies and tails.
  for (const shift of [0, 1, 5, 13]) inputs.push(concat(values(shift), specials));
  inputs.push(wide(1000), scaled(values(100), 1e-3), scaled(values(100), 1e-20));
  if (op === "log" || op === "sqrt") inputs.push(wide(1000).map(Math.abs));
  return inputs;
}

const exponents = [0, 1, 2, 3, -1, -2, -3, 7, 10, 0.5, -0.5, 1 / 3, 2.5, 1e-3, Infinity, -Infinity, NaN];

/** Runs `kernel` on a backend with each input copied onto it; returns what it wrote. */
type Kernel = (b: Backend, ...inputs: Storage[]) => Storage;

function kernelSuite(name: string, load: () => Backend | Promise<Backend>): void {
  describe(`${name} nn kernels match the js reference`, () => {
    let backend: Backend;
    beforeAll(async () => {
      backend = await load();
    });
    /** [what the backend under test gives, what the reference gives] for the same inputs. */
    const both = (kernel: Kernel, ...inputs: Float32Array[]): [Float32Array, Float32Array] => {
      const run = (b: Backend) => b.toFloat32Array(kernel(b, ...inputs.map((x) => b.fromFloat32Array(x))));
      return [run(backend), run(reference)];
    };

    for (const [op, ulp] of Object.entries(unaryUlp) as [UnaryOp, number][]) {
      test(`unary ${op} (${ulp === 0 ? "exact" : `within ${ulp} ulp`})`, () => {
        for (const x of unaryInputs(op)) {
          const [got, want] = both((b, a) => {
            const out = b.alloc(a.length);
            b.unary(op, a, out);
            return out;
          }, x);
          expectUlp(got, want, ulp, x, `${x.length} elements`);
        }
      });
    }

    test("unary in place gives what it gives out of place (exact)", () => {
      const x = concat(scaled(values(1001), 10), specials);
      for (const op of Object.keys(unaryUlp) as UnaryOp[]) {
        const out = backend.alloc(x.length);
        backend.unary(op, backend.fromFloat32Array(x), out);
        const inPlace = backend.fromFloat32Array(x);
        backend.unary(op, inPlace, inPlace);
        expectUlp(backend.toFloat32Array(inPlace), backend.toFloat32Array(out), 0, x, op);
      }
    });

    test("powScalar with integer, fractional, zero, infinite and NaN exponents, negative bases (within 2 ulp)", () => {
      const bases = [scaled(values(1000), 4), concat(values(3), specials), wide(1000), values(4099)];
      for (const e of exponents) {
        for (const x of bases) {
          const [got, want] = both((b, a) => {
            const out = b.alloc(a.length);
            b.powScalar(a, e, out);
            return out;
          }, x);
          expectUlp(got, want, 2, x, `exponent ${e}`);
        }
      }
    });

    test("activationBackward for relu exactly, for sigmoid and tanh within rtol 4u, atol 4u·|g|", () => {
      for (const op of ["relu", "sigmoid", "tanh"] as Activation[]) {
        for (const n of lengths) {
          // relu saves its input; sigmoid saves an output in (0, 1), tanh one in (-1, 1).
          const x = scaled(values(n), 4);
          const saved = op === "relu" ? x : x.map((v) => (op === "sigmoid" ? 1 / (1 + Math.exp(-v)) : Math.tanh(v)));
          const [got, want] = both(
            (b, s, g) => {
              const out = b.alloc(s.length);
              b.activationBackward(op, s, g, out);
              return out;
            },
            saved,
            values(n),
          );
          expectClose(got, want, op === "relu" ? 0 : 4 * u, op === "relu" ? 0 : 4 * u, `${op}, ${n} elements`);
        }
      }
    });

    test("activationBackward at the edges: NaN, infinite and zero gradients and saved values (exact)", () => {
      // Every product here is exact (or inf/NaN) whatever the order of the multiplications.
      const saved = [0, -0, 1, -1, 0.5, -0.5, NaN, Infinity, -Infinity, 1e-45];
      const grads = [0, -0, 1, -2, 1e30, Infinity, -Infinity, NaN];
      const s = Float32Array.from(saved.flatMap((v) => grads.map(() => v)));
      const g = Float32Array.from(saved.flatMap(() => grads));
      for (const op of ["relu", "sigmoid", "tanh"] as Activation[]) {
        const [got, want] = both(
          (b, sv, gv) => {
            const out = b.alloc(sv.length);
            b.activationBackward(op, sv, gv, out);
            return out;
          },
          s,
          g,
        );
        expectUlp(got, want, 0, s, `${op}, gradients ${grads.join(", ")} for each saved value`);
      }
    });

    test("stridedCopy: transposes, broadcasts (stride 0), 4-D permutations, strided slices, empty and 0-d views (exact)", () => {
      // [outShape, aStrides, a.length]
      const views: [number[], number[], number][] = [
        [[3, 2], [1, 3], 6],
        [[4, 5], [0, 1], 5],
        [[5, 4], [1, 0], 5],
        [[5, 3, 2, 4], [1, 20, 60, 5], 120],
        [[2, 3, 4, 5], [60, 20, 5, 1], 120],
        [[7, 1, 3, 9], [1, 0, 63, 7], 189],
        [[67, 61], [1, 67], 4087],
        [[3, 1000], [0, 1], 1000],
        [[17, 33, 9], [9, 153, 1], 5049],
        [[50], [2], 100],
        [[4099], [1], 4099],
        [[9, 17], [0, 0], 1],
        [[], [], 1],
        [[0, 3], [3, 1], 0],
        [[3, 0], [1, 3], 3],
      ];
      for (const [shape, strides, length] of views) {
        const [got, want] = both((b, a) => {
          const out = b.alloc(shape.reduce((p, d) => p * d, 1));
          b.stridedCopy(a, out, shape, strides);
          return out;
        }, values(length));
        expectUlp(got, want, 0, undefined, `shape [${shape}], strides [${strides}]`);
      }
    });

    // [outer, axisLen, inner]
    const axisShapes: [number, number, number][] = [
      [0, 3, 2],
      [3, 2, 0],
      [1, 1, 1],
      [1, 7, 1],
      [5, 1, 9],
      [3, 17, 1],
      [4, 10, 1],
      [7, 13, 17],
      [2, 8, 16],
      [2, 33, 65],
      [1, 5, 1001],
      [1, 4099, 1],
      [64, 10, 1],
    ];

    test("sumAxis (atol 1e-6·axisLen + 1e-7; an empty axis sums to 0)", () => {
      for (const [outer, axisLen, inner] of [...axisShapes, [2, 0, 3] as [number, number, number]]) {
        const [got, want] = both(
          (b, a) => {
            const out = b.alloc(outer * inner);
            b.sumAxis(a, out, outer, axisLen, inner);
            return out;
          },
          values(outer * axisLen * inner),
        );
        expectClose(got, want, 1e-6 * axisLen + 1e-7, 0, `[${outer}, ${axisLen}, ${inner}]`);
      }
      // Infinities and NaN propagate: columns [1, inf, 2], [inf, -inf, 0], [NaN, 1, 1], [-inf, -1, 3].
      const [got, want] = both(
        (b, a) => {
          const out = b.alloc(4);
          b.sumAxis(a, out, 1, 3, 4);
          return out;
        },
        Float32Array.from([1, Infinity, NaN, -Infinity, Infinity, -Infinity, 1, -1, 2, 0, 1, 3]),
      );
      expectUlp(got, want, 0);
      expect(Array.from(got)).toEqual([Infinity, NaN, NaN, -Infinity]);
    });

    test("maxAxis values and first-maximum indices, with ties, ±0, ±inf and NaN (exact)", () => {
      const run = (b: Backend, x: Float32Array, [outer, axisLen, inner]: [number, number, number]) => {
        // [values, indices]
        const v = b.alloc(outer * inner);
        const i = b.alloc(outer * inner);
        b.maxAxis(b.fromFloat32Array(x), v, i, outer, axisLen, inner);
        return [b.toFloat32Array(v), b.toFloat32Array(i)] as const;
      };
      const cases: [Float32Array, [number, number, number]][] = axisShapes.map((shape) => [
        // Values on a grid of sevenths, so ties are frequent.
        values(shape[0] * shape[1] * shape[2]).map((v) => Math.round(v * 7) / 7),
        shape,
      ]);
      // Two rows; each column is a tie of zeros, of -inf or of +inf, a NaN after or before a number, two NaNs, or
      // a subnormal beating -inf. First maxima: 0, 0, 0, 0, 1, 0, 0, 1.
      const columns = [
        [-0, 0],
        [0, -0],
        [-Infinity, -Infinity],
        [Infinity, Infinity],
        [1, NaN],
        [NaN, 5],
        [NaN, NaN],
      ];
      columns.push([-Infinity, 1e-45]);
      const edge = concat(
        columns.map((c) => c[0] as number),
        columns.map((c) => c[1] as number),
      );
      cases.push([edge, [1, 2, 8]]);
      for (const [x, shape] of cases) {
        const [gotValues, gotIndices] = run(backend, x, shape);
        const [wantValues, wantIndices] = run(reference, x, shape);
        expectUlp(gotValues, wantValues, 0, undefined, `values of [${shape}]`);
        expectUlp(gotIndices, wantIndices, 0, undefined, `indices of [${shape}]`);
      }
      expect(Array.from(run(backend, edge, [1, 2, 8])[1])).toEqual([0, 0, 0, 0, 1, 0, 0, 1]);
    });

    for (const log of [false, true]) {
      const kind = log ? "logSoftmax" : "softmax";
      test(`${kind} over the middle axis, logits spanning r ≤ 60 (${log ? "atol (axisLen + 4)u, rtol 4u" : "rtol (axisLen + 4 + r)u"})`, () => {
        for (const [outer, axisLen, inner] of axisShapes) {
          for (const scale of [1, 30]) {
            const [got, want] = both(
              (b, a) => {
                const out = b.alloc(a.length);
                b.softmax(a, out, outer, axisLen, inner, log);
                return out;
              },
              scaled(values(outer * axisLen * inner), scale),
            );
            // log-softmax's (x − max) − log Σ is at least |x − max| in magnitude, so its error there is relative.
            const bound = (axisLen + 4) * u;
            const what = `[${outer}, ${axisLen}, ${inner}], scale ${scale}`;
            expectClose(got, want, log ? bound : 0, log ? 4 * u : bound + 2 * scale * u, what);
          }
        }
      });

      test(`${kind} of rows with -inf, ±1e30, +inf, NaN and all -inf (exact: 0, -inf, NaN or the reference within its tolerance)`, () => {
        const rows = [
          [-Infinity, 0, 1],
          [1e30, 0, -1e30],
          [-1e30, -1e30, -1e30],
          [NaN, 1, 2],
          [Infinity, 1, 2],
          [-Infinity, -Infinity, -Infinity],
          [88, 89, 90],
        ];
        const [got, want] = both((b, a) => {
          const out = b.alloc(a.length);
          b.softmax(a, out, rows.length, 3, 1, log);
          return out;
        }, Float32Array.from(rows.flat()));
        expectClose(got, want, log ? 7 * u : 0, log ? 4 * u : 7 * u, "edge rows");
      });

      test(`${kind}Backward (${log ? "atol 1e-6·axisLen, rtol 4u: Σg has terms of either sign" : "atol (axisLen + 4)u, rtol 4u: Σ|g·y| ≤ 1"})`, () => {
        for (const [outer, axisLen, inner] of axisShapes) {
          const y = reference.alloc(outer * axisLen * inner);
          reference.softmax(scaled(values(y.length), 3), y, outer, axisLen, inner, log);
          const [got, want] = both(
            (b, ys, g) => {
              const out = b.alloc(ys.length);
              b.softmaxBackward(ys, g, out, outer, axisLen, inner, log);
              return out;
            },
            reference.toFloat32Array(y),
            values(y.length),
          );
          expectClose(got, want, log ? 1e-6 * axisLen : (axisLen + 4) * u, 4 * u, `[${outer}, ${axisLen}, ${inner}]`);
        }
      });
    }

    test("softmax slices sum to 1 (|Σy − 1| ≤ (axisLen + 8)u)", () => {
      for (const [outer, axisLen, inner] of axisShapes) {
        const out = backend.alloc(outer * axisLen * inner);
        backend.softmax(backend.fromFloat32Array(scaled(values(out.length), 10)), out, outer, axisLen, inner, false);
        const y = backend.toFloat32Array(out);
        const sums = new Float64Array(outer * inner);
        y.forEach((v, j) => {
          const slice = Math.floor(j / (axisLen * inner)) * inner + (j % inner);
          sums[slice] = (sums[slice] as number) + v;
        });
        expectClose(
          sums,
          new Float64Array(sums.length).fill(1),
          (axisLen + 8) * u,
          0,
          `[${outer}, ${axisLen}, ${inner}]`,
        );
      }
    });

    // [n, c]
    const ceShapes: [number, number][] = [
      [0, 3],
      [1, 1],
      [1, 2],
      [3, 10],
      [7, 17],
      [128, 10],
      [33, 65],
      [1000, 3],
      [2, 4099],
    ];
    const targetsFor = (n: number, c: number) => values(n).map((v) => Math.min(c - 1, Math.floor((v + 1) * 0.5 * c)));

    test("crossEntropy, logits spanning r ≤ 60 (atol (c + 4 + r)u, rtol 4u)", () => {
      for (const [n, c] of ceShapes) {
        for (const scale of [1, 30]) {
          const [got, want] = both(
            (b, x, t) => {
              const losses = b.alloc(n);
              b.crossEntropy(x, t, losses, n, c);
              return losses;
            },
            scaled(values(n * c), scale),
            targetsFor(n, c),
          );
          expectClose(got, want, (c + 4 + 2 * scale) * u, 4 * u, `n ${n}, c ${c}, scale ${scale}`);
        }
      }
    });

    test("crossEntropyBackward, logits spanning r ≤ 60 (atol (c + 4 + r)u, rtol 4u, with |gradLosses| < 1)", () => {
      for (const [n, c] of ceShapes) {
        for (const scale of [1, 30]) {
          const [got, want] = both(
            (b, x, t, g) => {
              const out = b.alloc(n * c);
              b.crossEntropyBackward(x, t, g, out, n, c);
              return out;
            },
            scaled(values(n * c), scale),
            targetsFor(n, c),
            values(n),
          );
          expectClose(got, want, (c + 4 + 2 * scale) * u, 4 * u, `n ${n}, c ${c}, scale ${scale}`);
        }
      }
    });

    test("squaredError: the scaled difference exactly, its sum of squares within (n + 3)u relative", () => {
      for (const n of lengths) {
        const [a, b] = [scaled(values(n), 3), scaled(values(n + 1).subarray(1), 3)];
        for (const diffScale of [1, 2 / n, -0.3]) {
          const run = (be: Backend) => {
            const diff = be.alloc(n);
            const total = be.squaredError(be.fromFloat32Array(a), be.fromFloat32Array(b), diff, diffScale);
            return { total, diff: be.toFloat32Array(diff) };
          };
          const [got, want] = [run(backend), run(reference)];
          expectUlp(got.diff, want.diff, 0, a, `${n} elements, scale ${diffScale}`);
          expect(Math.abs(got.total - want.total)).toBeLessThanOrEqual((n + 3) * u * want.total);
        }
      }
    });

    test("squaredError writing over an input, and with lengths that differ", () => {
      const [a, b] = [values(33), values(34).subarray(1)];
      const aliased = backend.fromFloat32Array(a);
      const total = backend.squaredError(aliased, backend.fromFloat32Array(b), aliased, 0.5);
      expect(backend.toFloat32Array(aliased)).toEqual(a.map((x, i) => (x - (b[i] as number)) * 0.5));
      expect(total).toBeCloseTo(
        reference.squaredError(reference.fromFloat32Array(a), reference.fromFloat32Array(b), reference.alloc(33), 1),
        5,
      );
      expect(() => backend.squaredError(backend.alloc(3), backend.alloc(2), backend.alloc(3), 1)).toThrow(
        /squaredError: a has 3 elements, b 2 and diff 3; all must be equal/,
      );
    });
  });
}

for (const [name, load] of [...nativeConfigs, ...wasmBuilds]) kernelSuite(name, load);
