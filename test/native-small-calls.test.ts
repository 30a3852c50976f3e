// The native backend's small calls, which run the js reference's kernels in JavaScript
// below a threshold of work (ts/backends/native.ts): which path a call takes on either
// side of each threshold, the reference's answer just below and at each, and the same
// Errors for bad arguments on both paths.
import { describe, expect, test } from "vitest";
import type { Activation, Backend, BinaryOp, Storage, UnaryOp } from "../ts/backend/backend.js";
import { createJsBackend } from "../ts/backends/js/index.js";
import { jsBelow, loadNativeBackend, smallCallsInJs } from "../ts/backends/native.js";
import { expectClose, expectUlp, testValues, unaryUlp } from "./backends.js";

const u = 2 ** -24;
const reference = createJsBackend();

const sgd = (momentum: number) => ({
  lr: 0.1,
  momentum,
  dampening: 0,
  weightDecay: 0.01,
  nesterov: false,
  maximize: false,
  firstStep: false,
});

const activations: Activation[] = ["relu", "sigmoid", "tanh"];

/** Inputs: a stream of floats in [-1, 1), the same for every backend given one seed. */
type Values = (n: number) => Float32Array;

/**
 * One threshold: `run` makes a call of `work` on a backend, with inputs from `values`, and
 * returns what it wrote (or returned); `kernel` is the addon export that a call at the
 * threshold reaches; `expectNear` holds a result to the reference's with the tolerance
 * of the kernel suites.
 */
interface Edge {
  what: string;
  kernel: string;
  threshold: number;
  run: (b: Backend, work: number, values: Values) => Float32Array;
  expectNear: (got: Float32Array, want: Float32Array, work: number) => void;
}

const exact = (got: Float32Array, want: Float32Array) => expectClose(got, want, 0);
const on = (b: Backend, x: Float32Array): Storage => b.fromFloat32Array(x);
/** Runs `kernel` into a new storage of `length` and reads it back. */
const into = (b: Backend, length: number, kernel: (out: Storage) => void): Float32Array => {
  const out = b.alloc(length);
  kernel(out);
  return b.toFloat32Array(out);
};

type Variant = [name: string, transA: boolean, transB: boolean];
const variants: Variant[] = [
  ["A·B", false, false],
  ["Aᵀ·B", true, false],
  ["A·Bᵀ", false, true],
  ["Aᵀ·Bᵀ", true, true],
];
/** A tall product (m = work) and a deep one (k = work), each of `work` multiply-adds. */
const shapes: [string, (work: number) => [number, number, number]][] = [
  ["tall", (w) => [w, 1, 1]],
  ["deep", (w) => [1, w, 1]],
];
const productNear = (got: Float32Array, want: Float32Array, work: number) =>
  expectClose(got, want, 2e-6 * work + 1e-6, 1e-5);

const edges: Edge[] = [
  {
    what: "binary sub, equal lengths",
    kernel: "binary",
    threshold: jsBelow.binary,
    run: (b, n, values) => into(b, n, (out) => b.binary("sub", on(b, values(n)), on(b, values(n)), out)),
    expectNear: exact,
  },
  {
    what: "binary div by a repeated row of 1",
    kernel: "binary",
    threshold: jsBelow.broadcast,
    run: (b, n, values) => into(b, n, (out) => b.binary("div", on(b, values(n)), on(b, values(1)), out)),
    expectNear: exact,
  },
  {
    what: "scale",
    kernel: "scale",
    threshold: jsBelow.scale,
    run: (b, n, values) => into(b, n, (out) => b.scale(on(b, values(n)), 0.37, out)),
    expectNear: exact,
  },
  {
    what: "sum",
    kernel: "sum",
    threshold: jsBelow.sum,
    run: (b, n, values) => Float32Array.of(b.sum(on(b, values(n)))),
    expectNear: (got, want, n) => expectClose(got, want, 1e-6 * n, 1e-5),
  },
  {
    what: "mean",
    kernel: "mean",
    threshold: jsBelow.sum,
    run: (b, n, values) => Float32Array.of(b.mean(on(b, values(n)))),
    expectNear: (got, want) => expectClose(got, want, 1e-6, 1e-5),
  },
  {
    what: "sumRows of one column",
    kernel: "sumRows",
    threshold: jsBelow.sumRows,
    run: (b, rows, values) => into(b, 1, (out) => b.sumRows(on(b, values(rows)), out, rows, 1)),
    expectNear: (got, want, rows) => expectClose(got, want, 1e-6 * rows + 1e-7),
  },
  {
    what: "squaredError, its total then the scaled difference",
    kernel: "squaredError",
    threshold: jsBelow.squaredError,
    run: (b, n, values) => {
      const diff = b.alloc(n);
      const total = b.squaredError(on(b, values(n)), on(b, values(n)), diff, 2 / n);
      return Float32Array.of(total, ...b.toFloat32Array(diff));
    },
    expectNear: (got, want, n) => expectClose(got, want, 0, (n + 3) * u),
  },
  ...[0, 0.9].map(
    (momentum): Edge => ({
      what: `sgdStep, momentum ${momentum}: the parameter then the buffer`,
      kernel: "sgdStep",
      threshold: momentum === 0 ? jsBelow.sgdStep : jsBelow.sgdStepMomentum,
      run: (b, n, values) => {
        const [param, buf] = [on(b, values(n)), on(b, momentum === 0 ? new Float32Array(0) : values(n))];
        b.sgdStep(param, on(b, values(n)), buf, sgd(momentum));
        return Float32Array.of(...b.toFloat32Array(param), ...b.toFloat32Array(buf));
      },
      expectNear: (got, want) => expectClose(got, want, 1e-6, 1e-5),
    }),
  ),
  ...variants.flatMap(([name, transA, transB]) =>
    shapes.map(
      ([shape, sizes]): Edge => ({
        what: `matmul ${name}, ${shape}`,
        kernel: "matmul",
        threshold: jsBelow.product,
        run: (b, work, values) => {
          const [m, k, n] = sizes(work);
          return into(b, m * n, (out) =>
            b.matmul(on(b, values(m * k)), on(b, values(k * n)), out, m, k, n, transA, transB),
          );
        },
        expectNear: productNear,
      }),
    ),
  ),
  ...shapes.map(
    ([shape, sizes]): Edge => ({
      what: `linearForward with bias and relu, ${shape}`,
      kernel: "linearForward",
      threshold: jsBelow.product,
      run: (b, work, values) => {
        const [m, k, n] = sizes(work);
        const [x, w, bias] = [on(b, values(m * k)), on(b, values(n * k)), on(b, values(n))];
        return into(b, m * n, (out) => b.linearForward(x, w, bias, out, m, k, n, true));
      },
      expectNear: productNear,
    }),
  ),
  ...shapes.map(
    ([shape, sizes]): Edge => ({
      what: `linearBackward, all three gradients, ${shape}`,
      kernel: "linearBackward",
      threshold: jsBelow.linearBackward,
      run: (b, work, values) => {
        const [m, k, n] = sizes(work);
        const [gradOut, x, w] = [on(b, values(m * n)), on(b, values(m * k)), on(b, values(n * k))];
        const grads = [b.alloc(m * k), b.alloc(n * k), b.alloc(n)] as const;
        b.linearBackward(gradOut, x, w, ...grads, m, k, n);
        return Float32Array.from(grads.flatMap((g) => Array.from(b.toFloat32Array(g))));
      },
      expectNear: productNear,
    }),
  ),
  ...(Object.entries(unaryUlp) as [UnaryOp, number][]).map(
    ([op, ulp]): Edge => ({
      what: `unary ${op}`,
      kernel: "unary",
      threshold: jsBelow.unary[op],
      // Positive inputs for log and sqrt.
      run: (b, n, values) =>
        into(b, n, (out) =>
          b.unary(
            op,
            on(
              b,
              values(n).map((x) => 4 * Math.abs(x)),
            ),
            out,
          ),
        ),
      expectNear: (got, want) => expectUlp(got, want, ulp),
    }),
  ),
  ...activations.map(
    (op): Edge => ({
      what: `activationBackward ${op}`,
      kernel: "activationBackward",
      threshold: jsBelow.activationBackward,
      run: (b, n, values) => into(b, n, (out) => b.activationBackward(op, on(b, values(n)), on(b, values(n)), out)),
      expectNear: (got, want) => expectClose(got, want, 4 * u, 4 * u),
    }),
  ),
];

/**
 * A bad call of size `n` (elements, rows or a product's m), and the message of the Error
 * it must throw; the test makes it with n = 3, which runs in JavaScript, and n = 301,
 * which reaches the addon.
 */
const misuses: [string, (b: Backend, n: number) => void, (n: number) => string][] = [
  [
    "binary, neither operand of out's length",
    (b, n) => b.binary("sub", b.alloc(n - 1), b.alloc(n - 1), b.alloc(n)),
    (n) => `sub: a has ${n - 1} elements and b has ${n - 1}, but one of them must have out's ${n}`,
  ],
  [
    "binary, a row that does not divide out",
    (b, n) => b.binary("add", b.alloc(n), b.alloc(2), b.alloc(n)),
    (n) => `add: b has 2 elements, which does not divide out's ${n}`,
  ],
  [
    "binary, an empty operand",
    (b, n) => b.binary("mul", b.alloc(0), b.alloc(n), b.alloc(n)),
    (n) => `mul: a has 0 elements, which does not divide out's ${n}`,
  ],
  [
    "binary, an unknown op",
    (b, n) => b.binary("pow" as BinaryOp, b.alloc(n), b.alloc(n), b.alloc(n)),
    () => 'binary: unknown op "pow"; expected one of add, sub, mul, div',
  ],
  ["scale", (b, n) => b.scale(b.alloc(n), 2, b.alloc(n + 1)), (n) => `scale: a has ${n} elements but out has ${n + 1}`],
  [
    "sumRows, a",
    (b, n) => b.sumRows(b.alloc(n), b.alloc(1), n + 1, 1),
    (n) => `sumRows: a has ${n} elements but rows*cols = ${n + 1}*1 = ${n + 1}`,
  ],
  [
    "sumRows, out",
    (b, n) => b.sumRows(b.alloc(2 * n), b.alloc(1), n, 2),
    () => "sumRows: out has 1 elements but cols = 2",
  ],
  [
    "sumRows, a fractional size",
    (b, n) => b.sumRows(b.alloc(2 * n + 1), b.alloc(2), n + 0.5, 2),
    (n) => `sumRows: rows must be a non-negative integer, not ${n + 0.5}`,
  ],
  [
    "squaredError",
    (b, n) => b.squaredError(b.alloc(n), b.alloc(n - 1), b.alloc(n), 1),
    (n) => `squaredError: a has ${n} elements, b ${n - 1} and diff ${n}; all must be equal`,
  ],
  [
    "sgdStep, grad",
    (b, n) => b.sgdStep(b.alloc(n), b.alloc(n - 1), b.alloc(0), sgd(0)),
    (n) => `sgdStep: grad has ${n - 1} elements but param has ${n}`,
  ],
  [
    "sgdStep, the momentum buffer",
    (b, n) => b.sgdStep(b.alloc(n), b.alloc(n), b.alloc(0), sgd(0.9)),
    (n) => `sgdStep: momentumBuf has 0 elements but param has ${n} (momentum = 0.9)`,
  ],
  [
    "sgdStep, the parameter as its own buffer",
    (b, n) => {
      const param = b.alloc(n);
      b.sgdStep(param, b.alloc(n), param, sgd(0.9));
    },
    () => "sgdStep: param and momentumBuf share memory",
  ],
  [
    "matmul, a",
    (b, n) => b.matmul(b.alloc(n - 1), b.alloc(2), b.alloc(2 * n), n, 1, 2, false, false),
    (n) => `matmul: a has ${n - 1} elements but m*k = ${n}*1 = ${n}`,
  ],
  [
    "matmul, b",
    (b, n) => b.matmul(b.alloc(n), b.alloc(3), b.alloc(2 * n), n, 1, 2, true, false),
    () => "matmul: b has 3 elements but k*n = 1*2 = 2",
  ],
  [
    "matmul, out",
    (b, n) => b.matmul(b.alloc(n), b.alloc(2), b.alloc(n), n, 1, 2, false, true),
    (n) => `matmul: out has ${n} elements but m*n = ${n}*2 = ${2 * n}`,
  ],
  [
    "matmul, a fractional size",
    (b, n) => b.matmul(b.alloc(n), b.alloc(2), b.alloc(2 * n), n + 0.5, 1, 2, true, true),
    (n) => `matmul: m must be a non-negative integer, not ${n + 0.5}`,
  ],
  [
    "linearForward, w",
    (b, n) => b.linearForward(b.alloc(n), b.alloc(3), null, b.alloc(2 * n), n, 1, 2, false),
    () => "linearForward: w has 3 elements but n*k = 2*1 = 2",
  ],
  [
    "linearForward, bias",
    (b, n) => b.linearForward(b.alloc(n), b.alloc(2), b.alloc(3), b.alloc(2 * n), n, 1, 2, true),
    () => "linearForward: bias has 3 elements but n = 2",
  ],
  [
    "linearBackward, gradW",
    (b, n) => b.linearBackward(b.alloc(2 * n), b.alloc(n), b.alloc(2), null, b.alloc(3), null, n, 1, 2),
    () => "linearBackward: gradW has 3 elements but n*k = 2*1 = 2",
  ],
  [
    "linearBackward, gradW without x",
    (b, n) => b.linearBackward(b.alloc(2 * n), null, b.alloc(2), null, b.alloc(2), null, n, 1, 2),
    () => "linearBackward: gradW needs x",
  ],
  [
    "linearBackward, gradX without w",
    (b, n) => b.linearBackward(b.alloc(2 * n), b.alloc(n), null, b.alloc(n), null, null, n, 1, 2),
    () => "linearBackward: gradX needs w",
  ],
  [
    "linearBackward, gradBias",
    (b, n) => b.linearBackward(b.alloc(2 * n), b.alloc(n), b.alloc(2), null, null, b.alloc(1), n, 1, 2),
    () => "linearBackward: gradBias has 1 elements but n = 2",
  ],
  [
    "unary",
    (b, n) => b.unary("exp", b.alloc(n), b.alloc(n + 1)),
    (n) => `unary(exp): a has ${n} elements but out has ${n + 1}`,
  ],
  [
    "activationBackward",
    (b, n) => b.activationBackward("tanh", b.alloc(n), b.alloc(n - 1), b.alloc(n)),
    (n) => `activationBackward: saved has ${n} elements, gradOut ${n - 1} and out ${n}; all must be equal`,
  ],
];

/** The message of the Error `call` throws; fails if it throws none, or something else. */
function messageOf(call: () => void): string {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return (error as Error).message;
  }
  return expect.fail("no Error thrown");
}

describe("the native backend's small calls", () => {
  test("a call below its threshold runs in JavaScript, a call at it reaches the addon", () => {
    const reached: string[] = [];
    // Stands for the addon's kernels: records which one is called, and computes nothing.
    const addon = new Proxy({} as Parameters<typeof smallCallsInJs>[0], {
      get: (_, kernel) => () => {
        reached.push(String(kernel));
        return 0;
      },
    });
    const dispatching: Backend = { ...reference, ...smallCallsInJs(addon) };
    for (const { what, kernel, threshold, run } of edges) {
      reached.length = 0;
      run(dispatching, threshold - 1, testValues(1));
      expect(reached, `${what} at ${threshold - 1}`).toEqual([]);
      run(dispatching, threshold, testValues(1));
      expect(reached, `${what} at ${threshold}`).toEqual([kernel]);
    }
  });

  test("bad arguments give one Error naming the op and the values, in JavaScript and on the addon", () => {
    const native = loadNativeBackend();
    for (const [what, bad, message] of misuses) {
      for (const n of [3, 301])
        expect(
          messageOf(() => bad(native, n)),
          `${what}, n = ${n}`,
        ).toBe(message(n));
    }
    // Still working after every refusal.
    expect(native.sum(native.fromFloat32Array(Float32Array.of(1, 2)))).toBe(3);
  });

  test("the addon reads an array view's whole floats in place, never past its end, and refuses anything else", () => {
    const addon = loadNativeBackend({ smallCallsInJs: false });
    const values = Float32Array.of(1.5, 2.5, 4);
    const out = new Float32Array(3).fill(7);
    // Nine bytes hold two whole floats: the third of each array is neither read nor written.
    const bytes = (a: Float32Array, offset: number) => new Uint8Array(a.buffer, offset, 9) as unknown as Storage;
    addon.scale(bytes(values, 0), 2, bytes(out, 0));
    expect(Array.from(out)).toEqual([3, 5, 7]);
    expect(messageOf(() => addon.scale(bytes(values, 1), 2, out.subarray(0, 2)))).toBe(
      "scale: a's memory is not addressable as floats",
    );
    expect(messageOf(() => addon.scale([1, 2] as unknown as Storage, 2, out.subarray(0, 2)))).toBe(
      "scale: a must be a Float32Array, not a value of type Object",
    );
  });

  test("just below and at each threshold, the reference's answer within the kernel suites' tolerances", () => {
    const native = loadNativeBackend();
    for (const { what, threshold, run, expectNear } of edges) {
      for (const work of [threshold - 1, threshold]) {
        const [got, want] = [native, reference].map((b) => run(b, work, testValues(work)));
        try {
          expectNear(got as Float32Array, want as Float32Array, work);
        } catch (error) {
          throw new Error(`${what} at ${work}: ${(error as Error).message}`, { cause: error });
        }
      }
    }
  });
});
