import type { Backend, Storage, UnaryOp } from "../backend/backend.js";
import { checkBinaryOp } from "./js/binary.js";
import { jsKernels, type Kernels } from "./js/index.js";
import { type NnAddon, nativeNnKernels, nnAddonFunctions } from "./nativeNn.js";
import { nativeOptimKernels, type OptimAddon, optimAddonFunctions } from "./nativeOptim.js";
import { nodeFs, packageRoot } from "./packageRoot.js";
import { createSlabAllocator, fillFloats } from "./slab.js";

/** The Node addon's exports (crates/node/src/lib.rs). Every call checks its arguments and throws an Error. */
interface Addon extends OptimAddon, NnAddon {
  /** Instruction set the kernels run on, detected once per process. */
  simdName(): string;
  /** How many bytes past a 64-byte boundary the view's memory starts; throws for an empty view. */
  misalignment(view: Float32Array): number;
  matmul(
    a: Float32Array,
    b: Float32Array,
    out: Float32Array,
    m: number,
    k: number,
    n: number,
    transA: boolean,
    transB: boolean,
  ): void;
  /** `out = x·wᵀ + bias` (bias may be null), then ReLU when `relu`; threaded as matmul. */
  linearForward(
    x: Float32Array,
    w: Float32Array,
    bias: Float32Array | null,
    out: Float32Array,
    m: number,
    k: number,
    n: number,
    relu: boolean,
  ): void;
  /** `Backend.linearBackward`, its outputs null when not wanted; products threaded as matmul. */
  linearBackward(
    gradOut: Float32Array,
    x: Float32Array | null,
    w: Float32Array | null,
    gradX: Float32Array | null,
    gradW: Float32Array | null,
    gradBias: Float32Array | null,
    m: number,
    k: number,
    n: number,
  ): void;
  /** Threads the matrix products may use; the CPUs available until set. */
  getNumThreads(): number;
  /** A positive integer; throws otherwise. */
  setNumThreads(n: number): void;
  /** One function per BinaryOp, named after it. */
  add(a: Float32Array, b: Float32Array, out: Float32Array): void;
  sub(a: Float32Array, b: Float32Array, out: Float32Array): void;
  mul(a: Float32Array, b: Float32Array, out: Float32Array): void;
  scale(a: Float32Array, s: number, out: Float32Array): void;
  sum(a: Float32Array): number;
  /** NaN for an empty array. */
  mean(a: Float32Array): number;
  sumRows(a: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /** Flat arguments rather than an options object: each object property costs the addon a lookup. */
  sgdStep(
    param: Float32Array,
    grad: Float32Array,
    momentumBuf: Float32Array,
    lr: number,
    momentum: number,
    dampening: number,
    weightDecay: number,
    nesterov: boolean,
    maximize: boolean,
    firstStep: boolean,
  ): void;
}

// Checked at load time, so an addon built from older sources fails to load instead of failing mid-training.
const addonFunctions = [
  "simdName",
  "misalignment",
  "matmul",
  "linearForward",
  "linearBackward",
  "getNumThreads",
  "setNumThreads",
  "add",
  "sub",
  "mul",
  "scale",
  "sum",
  "mean",
  "sumRows",
  "sgdStep",
  ...optimAddonFunctions,
  ...nnAddonFunctions,
] as const satisfies readonly (keyof Addon)[];

/**
 * Node's modules that loading the addon needs. Fetched when loading, not imported: a
 * static import of any `node:` module would stop a browser from loading descent at all.
 */
function nodeModules() {
  const fs = nodeFs();
  if (fs === undefined) throw new Error("native backend: it runs in Node only (process.getBuiltinModule is missing)");
  return {
    fs,
    createRequire: process.getBuiltinModule("node:module").createRequire,
    resolve: process.getBuiltinModule("node:path").resolve,
    fileURLToPath: process.getBuiltinModule("node:url").fileURLToPath,
  };
}

type NodeModules = ReturnType<typeof nodeModules>;

/** Where to look, in order: an explicit DESCENT_NATIVE_PATH wins over the build output. */
function candidatePaths({ fs, resolve, fileURLToPath }: NodeModules, errors: Error[]): string[] {
  const paths: string[] = [];
  const fromEnv = process.env.DESCENT_NATIVE_PATH;
  // Relative to the working directory, as a user typing it expects (require would resolve it from this file).
  if (fromEnv) paths.push(resolve(fromEnv));
  try {
    // scripts/build-native names the file after process.platform and process.arch.
    const file = new URL(`build/native/descent.${process.platform}-${process.arch}.node`, packageRoot(fs));
    paths.push(fileURLToPath(file));
  } catch (error) {
    errors.push(new Error(`build/native: ${(error as Error).message}`, { cause: error }));
  }
  return paths;
}

function loadAddon({ fs, createRequire }: NodeModules, path: string): Addon {
  // existsSync first: require's "Cannot find module" carries a long require stack.
  if (!fs.existsSync(path)) throw new Error("no such file");
  // require runs any other file as JavaScript.
  if (!path.endsWith(".node")) throw new Error('not a ".node" file');
  const mod: unknown = createRequire(import.meta.url)(path);
  const missing = addonFunctions.filter((f) => typeof (mod as Record<string, unknown>)[f] !== "function");
  if (missing.length > 0) {
    throw new Error(`the addon lacks ${missing.join(", ")} (built from older sources? run scripts/build-native)`);
  }
  return mod as Addon;
}

export function requireAddon(): Addon {
  const node = nodeModules();
  const errors: Error[] = [];
  for (const path of candidatePaths(node, errors)) {
    try {
      return loadAddon(node, path);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // dlopen's messages already start with the path.
      errors.push(new Error(reason.startsWith(path) ? reason : `${path}: ${reason}`, { cause: error }));
    }
  }
  const tried = errors.map((e) => e.message).join("; ");
  throw new Error(`native backend: could not load the addon (tried ${tried}); build it with scripts/build-native`, {
    cause: new AggregateError(errors, "every native addon path failed"),
  });
}

// Storage made by this backend is always a Float32Array, which the addon reads in place.
const f32 = (s: Storage): Float32Array => s as Float32Array;

/**
 * `jsBelow.unary`, per op: those that call Math.exp, Math.log or Math.tanh (10-30 ns an
 * element in JavaScript) cross soonest.
 */
const unaryJsBelow: Record<UnaryOp, number> = {
  neg: 32,
  abs: 32,
  sign: 32,
  relu: 32,
  sqrt: 32,
  exp: 16,
  log: 16,
  sigmoid: 16,
  tanh: 16,
};

/**
 * Calls with less work than these run the js reference's kernel on the same Float32Array
 * instead of the addon's: entering the addon through Node-API costs ~90-220 ns (more
 * with more arrays to read), more than a few dozen elements take in JavaScript (~2-5 ns
 * each). Work counts elements (out's for binary), rows·cols for sumRows and m·k·n for
 * products. Each is the crossover measured by bench/small-calls.ts on the 2-vCPU Zen 3
 * VM of bench/README.md, in three runs: the smallest size at which the addon was as
 * fast, so that JavaScript won every size measured below it.
 */
export const jsBelow = {
  /** Operands of out's length. */
  binary: 80,
  /** A repeated operand costs a `%` and a switch per element. */
  broadcast: 32,
  scale: 64,
  /** mean's too. */
  sum: 80,
  /** With 1 column; with 4, 48. */
  sumRows: 32,
  squaredError: 64,
  sgdStep: 48,
  /** A momentum buffer to read and write. */
  sgdStepMomentum: 32,
  unary: unaryJsBelow,
  /** relu crossed at 48, sigmoid and tanh at 32. */
  activationBackward: 32,
  /**
   * matmul in every transpose variant, and linearForward: A·B, Aᵀ·B and Aᵀ·Bᵀ crossed
   * at 32, A·Bᵀ and linearForward at 64 (tall thin products cost more per multiply-add
   * in JavaScript: a row's loops each).
   */
  product: 32,
  /** Two products and a column sum: one addon call, three in JavaScript. */
  linearBackward: 16,
} as const;

/** The kernels that may run in JavaScript. */
type SmallKernels = Pick<
  Kernels,
  | "binary"
  | "scale"
  | "sum"
  | "mean"
  | "sumRows"
  | "squaredError"
  | "sgdStep"
  | "matmul"
  | "linearForward"
  | "linearBackward"
  | "unary"
  | "activationBackward"
>;

/** `native`'s kernels, except that calls below `jsBelow` run the js reference's. */
export function smallCallsInJs(native: SmallKernels): SmallKernels {
  const js = jsKernels("float32");
  return {
    binary: (op, a, b, out) =>
      out.length < (a.length === b.length ? jsBelow.binary : jsBelow.broadcast)
        ? js.binary(op, a, b, out)
        : native.binary(op, a, b, out),
    scale: (a, s, out) => (a.length < jsBelow.scale ? js.scale(a, s, out) : native.scale(a, s, out)),
    sum: (a) => (a.length < jsBelow.sum ? js.sum(a) : native.sum(a)),
    mean: (a) => (a.length < jsBelow.sum ? js.mean(a) : native.mean(a)),
    sumRows: (a, out, rows, cols) =>
      rows * cols < jsBelow.sumRows ? js.sumRows(a, out, rows, cols) : native.sumRows(a, out, rows, cols),
    squaredError: (a, b, diff, scale) =>
      diff.length < jsBelow.squaredError ? js.squaredError(a, b, diff, scale) : native.squaredError(a, b, diff, scale),
    sgdStep: (param, grad, buf, o) =>
      param.length < (o.momentum === 0 ? jsBelow.sgdStep : jsBelow.sgdStepMomentum)
        ? js.sgdStep(param, grad, buf, o)
        : native.sgdStep(param, grad, buf, o),
    matmul: (a, b, out, m, k, n, transA, transB) =>
      m * k * n < jsBelow.product
        ? js.matmul(a, b, out, m, k, n, transA, transB)
        : native.matmul(a, b, out, m, k, n, transA, transB),
    linearForward: (x, w, bias, out, m, k, n, relu) =>
      m * k * n < jsBelow.product
        ? js.linearForward(x, w, bias, out, m, k, n, relu)
        : native.linearForward(x, w, bias, out, m, k, n, relu),
    linearBackward: (gradOut, x, w, gradX, gradW, gradBias, m, k, n) =>
      m * k * n < jsBelow.linearBackward
        ? js.linearBackward(gradOut, x, w, gradX, gradW, gradBias, m, k, n)
        : native.linearBackward(gradOut, x, w, gradX, gradW, gradBias, m, k, n),
    unary: (op, a, out) => (a.length < jsBelow.unary[op] ? js.unary(op, a, out) : native.unary(op, a, out)),
    activationBackward: (op, saved, gradOut, out) =>
      saved.length < jsBelow.activationBackward
        ? js.activationBackward(op, saved, gradOut, out)
        : native.activationBackward(op, saved, gradOut, out),
  };
}

export interface NativeOptions {
  /**
   * Whether calls below `jsBelow` run in JavaScript (the default); `false` sends every
   * call to the addon, so that its kernels can be tested at every size.
   */
  smallCallsInJs?: boolean;
}

/**
 * The Rust kernels in the Node addon, working on Float32Arrays without copying. Tiny
 * calls (under a few dozen elements or multiply-adds, `jsBelow`: a bias, a loss, a small
 * layer's update) run the js reference's kernels on the same Float32Arrays instead:
 * entering the addon costs ~90-220 ns, more than their work takes in JavaScript.
 * `{ smallCallsInJs: false }` sends every call to the addon. Throws if the addon cannot
 * load.
 */
export function loadNativeBackend({ smallCallsInJs: small = true }: NativeOptions = {}): Backend {
  const addon = requireAddon();
  const { alloc, allocUnset, free } = createSlabAllocator((view) => addon.misalignment(view));
  const copyOf = (data: Float32Array): Float32Array => {
    const copy = allocUnset(data.length);
    copy.set(data);
    return copy;
  };
  const kernels: Kernels = {
    matmul: (a, b, out, m, k, n, transA, transB) => addon.matmul(f32(a), f32(b), f32(out), m, k, n, transA, transB),
    linearForward: (x, w, bias, out, m, k, n, relu) =>
      addon.linearForward(f32(x), f32(w), bias && f32(bias), f32(out), m, k, n, relu),
    linearBackward: (gradOut, x, w, gradX, gradW, gradBias, m, k, n) =>
      addon.linearBackward(
        f32(gradOut),
        x && f32(x),
        w && f32(w),
        gradX && f32(gradX),
        gradW && f32(gradW),
        gradBias && f32(gradBias),
        m,
        k,
        n,
      ),
    binary: (op, a, b, out) => {
      checkBinaryOp(op);
      addon[op](f32(a), f32(b), f32(out));
    },
    scale: (a, s, out) => addon.scale(f32(a), s, f32(out)),
    sum: (a) => addon.sum(f32(a)),
    mean: (a) => addon.mean(f32(a)),
    sumRows: (a, out, rows, cols) => addon.sumRows(f32(a), f32(out), rows, cols),
    sgdStep: (param, grad, buf, o) =>
      addon.sgdStep(
        f32(param),
        f32(grad),
        f32(buf),
        o.lr,
        o.momentum,
        o.dampening,
        o.weightDecay,
        o.nesterov,
        o.maximize,
        o.firstStep,
      ),
    ...nativeOptimKernels(addon),
    ...nativeNnKernels(addon),
  };
  return {
    name: "native",
    simd: addon.simdName(),
    threads: () => addon.getNumThreads(),
    setThreads: (n) => addon.setNumThreads(n),
    alloc,
    allocUnset,
    fromFloat32Array: copyOf,
    // A fresh buffer of its own: the caller may keep it, and must not pin or see a slab.
    toFloat32Array: (s) => new Float32Array(f32(s)),
    item: (s, index) => f32(s)[index] as number,
    fill: (s, value) => fillFloats(f32(s), value),
    copy: (src, dst) => f32(dst).set(f32(src)),
    // The garbage collector owns the memory and nothing is held on the Rust side; large
    // arrays are recycled.
    free: (s) => free(f32(s)),
    ...kernels,
    ...(small ? smallCallsInJs(kernels) : {}),
  };
}
