import type { Backend, BinaryOp, Storage } from "../backend/backend.js";
import { linearBackwardOf } from "./linearBackward.js";
import { nodeFs, packageRoot } from "./packageRoot.js";
import { type WasmAllocator, WasmMemory, WasmStorage } from "./wasmMemory.js";
import { type NnExports, nnExportNames, wasmNnKernels } from "./wasmNn.js";
import { type OptimExports, optimExportNames, wasmOptimKernels } from "./wasmOptim.js";
import { chooseVariant, type WasmVariant, wasmFiles } from "./wasmVariant.js";

/** A module to load: its bytes, or a URL to fetch (Node reads `file:` URLs itself). */
export type WasmSource = BufferSource | URL;

/** Both builds of scripts/build-wasm, for callers that serve the files themselves (browsers). */
export interface WasmSources<T = WasmSource> {
  /** build/wasm/descent-relaxed.wasm, loaded where the engine accepts relaxed SIMD. */
  relaxed: T;
  /** build/wasm/descent.wasm, loaded otherwise. */
  simd128: T;
}

/** The wasm backend, plus a look at its linear memory for tests that watch for leaks. */
export interface WasmBackend extends Backend {
  /** Current size of the module's linear memory in bytes (it grows, never shrinks). */
  memoryBytes(): number;
}

/**
 * The exports of crates/wasm/src/lib.rs. Pointers are byte offsets into `memory`;
 * lengths count floats; booleans are 0 or 1.
 */
interface Exports extends OptimExports, NnExports, WasmAllocator {
  simd(): number;
  matmul(
    a: number,
    aLen: number,
    b: number,
    bLen: number,
    c: number,
    cLen: number,
    m: number,
    k: number,
    n: number,
    transA: number,
    transB: number,
  ): void;
  linear_forward(
    x: number,
    xLen: number,
    w: number,
    wLen: number,
    bias: number,
    biasLen: number,
    hasBias: number,
    out: number,
    outLen: number,
    m: number,
    k: number,
    n: number,
    relu: number,
  ): void;
  binary(op: number, a: number, aLen: number, b: number, bLen: number, out: number, outLen: number): void;
  scale(a: number, aLen: number, s: number, out: number, outLen: number): void;
  sum(a: number, len: number): number;
  mean(a: number, len: number): number;
  sum_rows(a: number, aLen: number, out: number, outLen: number, rows: number, cols: number): void;
  sgd_step(
    param: number,
    paramLen: number,
    grad: number,
    gradLen: number,
    buf: number,
    bufLen: number,
    lr: number,
    momentum: number,
    dampening: number,
    weightDecay: number,
    nesterov: number,
    maximize: number,
    firstStep: number,
  ): void;
}

const functionExports = [
  "alloc_f32",
  "free_f32",
  "simd",
  "matmul",
  "linear_forward",
  "binary",
  "scale",
  "sum",
  "mean",
  "sum_rows",
  "sgd_step",
  ...optimExportNames,
  ...nnExportNames,
] as const;
const buildCommand = "`npm run build:wasm` (scripts/build-wasm)";
/** Lengths and sizes stay below 2^30 so byte sizes fit the module's 32-bit `usize`. */
const maxLength = 2 ** 30 - 1;
const opCodes = new Map<BinaryOp, number>([
  ["add", 0],
  ["sub", 1],
  ["mul", 2],
  ["div", 3],
]);

function fail(op: string, message: string): never {
  throw new Error(`wasm ${op}: ${message}`);
}

function checkSize(op: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > maxLength) {
    fail(op, `${name} must be an integer in 0..${maxLength}, got ${value}`);
  }
}

function exportsOf(instance: WebAssembly.Instance): Exports {
  const e = instance.exports;
  const missing: string[] = functionExports.filter((name) => typeof e[name] !== "function");
  if (!(e.memory instanceof WebAssembly.Memory)) missing.push("memory");
  if (missing.length > 0) {
    throw new Error(
      `wasm backend: the module lacks the exports ${missing.join(", ")}; rebuild build/wasm with ${buildCommand}`,
    );
  }
  return e as unknown as Exports;
}

/**
 * Both builds beside this module as the package lays them out (build/ts/backends/ and
 * build/wasm/), for engines without Node's file system: browsers fetch them. Written as
 * `new URL(literal, import.meta.url)`, the form bundlers find and emit as assets.
 */
const builtModuleUrls = (): WasmSources<URL> => ({
  relaxed: new URL("../../wasm/descent-relaxed.wasm", import.meta.url),
  simd128: new URL("../../wasm/descent.wasm", import.meta.url),
});

/** The bytes of one build from the package's build directory (Node only). */
function readBuiltModule(variant: WasmVariant): BufferSource {
  const fs = nodeFs();
  if (!fs) throw new Error("wasm backend: outside Node the module is fetched, so await ready() first");
  const file = new URL(wasmFiles[variant], packageRoot(fs));
  try {
    return fs.readFileSync(file);
  } catch (error) {
    throw new Error(`wasm backend: cannot read ${decodeURIComponent(file.pathname)}; build it with ${buildCommand}`, {
      cause: error,
    });
  }
}

async function fetchModule(url: URL): Promise<BufferSource> {
  const fs = nodeFs();
  if (url.protocol === "file:" && fs) return fs.promises.readFile(url);
  const response = await fetch(url).catch((error: unknown) => {
    throw new Error(`wasm backend: cannot fetch ${url.href}`, { cause: error });
  });
  if (!response.ok) throw new Error(`wasm backend: fetching ${url.href} failed with HTTP ${response.status}`);
  return response.arrayBuffer();
}

function isPair<T>(source: T | WasmSources<T>): source is WasmSources<T> {
  return typeof source === "object" && source !== null && "relaxed" in source && "simd128" in source;
}

/** The module to load out of what the caller passed, and why the relaxed build was passed over. */
function pick<T>(
  source: T | WasmSources<T> | undefined,
  read: (variant: WasmVariant) => T,
): { module: T; skipped: string | undefined } {
  if (source !== undefined && !isPair(source)) return { module: source, skipped: undefined };
  const { variant, skipped } = chooseVariant();
  return { module: source === undefined ? read(variant) : (source as WasmSources<T>)[variant], skipped };
}

/**
 * Loads the wasm backend: the relaxed-SIMD build where the engine accepts it, else the
 * SIMD128 one (see `chooseVariant`). Without `source`, Node reads them from the
 * package's build/wasm and other engines fetch them from beside this module; or pass
 * both as `WasmSources`, or one module to load as it is.
 */
export async function loadWasmBackend(source?: WasmSource | WasmSources): Promise<WasmBackend> {
  const { module, skipped } = pick<WasmSource>(source ?? (nodeFs() ? undefined : builtModuleUrls()), readBuiltModule);
  const bytes = module instanceof URL ? await fetchModule(module) : module;
  const { instance } = await WebAssembly.instantiate(bytes);
  return createWasmBackend(exportsOf(instance), skipped);
}

/** Synchronous `loadWasmBackend` for Node, where compiling a small module blocking is fine. */
export function loadWasmBackendSync(source?: BufferSource | WasmSources<BufferSource>): WasmBackend {
  const { module, skipped } = pick<BufferSource>(source, readBuiltModule);
  const instance = new WebAssembly.Instance(new WebAssembly.Module(module));
  return createWasmBackend(exportsOf(instance), skipped);
}

const simdNames = ["none", "simd128", "simd128+relaxed"];

function createWasmBackend(ex: Exports, simdSkipped: string | undefined): WasmBackend {
  const memory = new WasmMemory(ex);

  const owned = (op: string, name: string, s: Storage): WasmStorage => {
    if (!(s instanceof WasmStorage) || s.owner !== memory) fail(op, `${name} is not a storage of this wasm backend`);
    if (s.freed) fail(op, `${name} was already freed`);
    return s;
  };
  /** Checks that `s` is a live storage of this module and makes it resident for this call. */
  const live = (op: string, name: string, s: Storage): WasmStorage => memory.use(owned(op, name, s));
  const begin = (op: string): string => {
    memory.beginCall();
    return op;
  };

  const backend: Omit<WasmBackend, "linearBackward"> = {
    name: "wasm",
    simd: simdNames[ex.simd()] ?? "unknown",
    ...(simdSkipped === undefined ? {} : { simdSkipped }),
    threads: () => 1,
    memoryBytes: () => memory.bytes,

    alloc(length) {
      checkSize(begin("alloc"), "length", length);
      return memory.alloc("alloc", length, true);
    },
    allocUnset(length) {
      checkSize(begin("allocUnset"), "length", length);
      return memory.alloc("allocUnset", length, false);
    },
    fromFloat32Array(data) {
      checkSize(begin("fromFloat32Array"), "length", data.length);
      const s = memory.alloc("fromFloat32Array", data.length, false);
      memory.heap().set(data, s.ptr >>> 2);
      return s;
    },
    toFloat32Array(st) {
      return memory.read(owned("toFloat32Array", "storage", st));
    },
    item(st, index) {
      const s = owned("item", "storage", st);
      if (!(index >= 0 && index < s.length)) fail("item", `index ${index} is out of range for ${s.length} elements`);
      return memory.item(s, index);
    },
    fill(st, value) {
      const s = live(begin("fill"), "storage", st);
      memory.heap().fill(value, s.ptr >>> 2, (s.ptr >>> 2) + s.length);
    },
    copy(srcSt, dstSt) {
      const src = live(begin("copy"), "src", srcSt);
      const dst = live("copy", "dst", dstSt);
      if (src.length !== dst.length) fail("copy", `src has ${src.length} elements but dst has ${dst.length}`);
      memory.heap().copyWithin(dst.ptr >>> 2, src.ptr >>> 2, (src.ptr >>> 2) + src.length);
    },
    free(st) {
      memory.free(owned("free", "storage", st));
    },

    matmul(aSt, bSt, outSt, m, k, n, transA, transB) {
      const a = live(begin("matmul"), "a", aSt);
      const b = live("matmul", "b", bSt);
      const out = live("matmul", "out", outSt);
      checkSize("matmul", "m", m);
      checkSize("matmul", "k", k);
      checkSize("matmul", "n", n);
      const shapes = `m=${m} k=${k} n=${n} transA=${transA} transB=${transB}`;
      if (a.length !== m * k) fail("matmul", `a has ${a.length} elements, expected m*k = ${m * k} (${shapes})`);
      if (b.length !== k * n) fail("matmul", `b has ${b.length} elements, expected k*n = ${k * n} (${shapes})`);
      if (out.length !== m * n) fail("matmul", `out has ${out.length} elements, expected m*n = ${m * n} (${shapes})`);
      ex.matmul(a.ptr, a.length, b.ptr, b.length, out.ptr, out.length, m, k, n, transA ? 1 : 0, transB ? 1 : 0);
    },
    linearForward(xSt, wSt, biasSt, outSt, m, k, n, relu) {
      const op = begin("linearForward");
      const x = live(op, "x", xSt);
      const w = live(op, "w", wSt);
      const bias = biasSt === null ? null : live(op, "bias", biasSt);
      const out = live(op, "out", outSt);
      checkSize(op, "m", m);
      checkSize(op, "k", k);
      checkSize(op, "n", n);
      const shapes = `m=${m} k=${k} n=${n}`;
      if (x.length !== m * k) fail(op, `x has ${x.length} elements, expected m*k = ${m * k} (${shapes})`);
      if (w.length !== n * k) fail(op, `w has ${w.length} elements, expected n*k = ${n * k} (${shapes})`);
      if (bias && bias.length !== n) fail(op, `bias has ${bias.length} elements, expected n = ${n}`);
      if (out.length !== m * n) fail(op, `out has ${out.length} elements, expected m*n = ${m * n} (${shapes})`);
      ex.linear_forward(
        x.ptr,
        x.length,
        w.ptr,
        w.length,
        bias ? bias.ptr : 0,
        bias ? bias.length : 0,
        bias ? 1 : 0,
        out.ptr,
        out.length,
        m,
        k,
        n,
        relu ? 1 : 0,
      );
    },
    binary(op, aSt, bSt, outSt) {
      const code = opCodes.get(op);
      if (code === undefined) fail("binary", `unknown op "${op}"; expected one of ${[...opCodes.keys()].join(", ")}`);
      const name = begin(`binary(${op})`);
      const a = live(name, "a", aSt);
      const b = live(name, "b", bSt);
      const out = live(name, "out", outSt);
      const len = out.length;
      const repeats = len === 0 || (a.length > 0 && b.length > 0 && len % a.length === 0 && len % b.length === 0);
      if ((a.length !== len && b.length !== len) || !repeats) {
        fail(name, `cannot broadcast a[${a.length}] and b[${b.length}] into out[${len}]`);
      }
      ex.binary(code, a.ptr, a.length, b.ptr, b.length, out.ptr, len);
    },
    scale(aSt, s, outSt) {
      const a = live(begin("scale"), "a", aSt);
      const out = live("scale", "out", outSt);
      if (a.length !== out.length) fail("scale", `a has ${a.length} elements but out has ${out.length}`);
      ex.scale(a.ptr, a.length, s, out.ptr, out.length);
    },
    sum(aSt) {
      const a = live(begin("sum"), "a", aSt);
      return ex.sum(a.ptr, a.length);
    },
    mean(aSt) {
      const a = live(begin("mean"), "a", aSt);
      return ex.mean(a.ptr, a.length);
    },
    sumRows(aSt, outSt, rows, cols) {
      const a = live(begin("sumRows"), "a", aSt);
      const out = live("sumRows", "out", outSt);
      checkSize("sumRows", "rows", rows);
      checkSize("sumRows", "cols", cols);
      if (a.length !== rows * cols) {
        fail("sumRows", `a has ${a.length} elements, expected rows*cols = ${rows}*${cols} = ${rows * cols}`);
      }
      if (out.length !== cols) fail("sumRows", `out has ${out.length} elements, expected cols = ${cols}`);
      ex.sum_rows(a.ptr, a.length, out.ptr, out.length, rows, cols);
    },
    sgdStep(paramSt, gradSt, bufSt, o) {
      const param = live(begin("sgdStep"), "param", paramSt);
      const grad = live("sgdStep", "grad", gradSt);
      if (grad.length !== param.length) {
        fail("sgdStep", `grad has ${grad.length} elements but param has ${param.length}`);
      }
      // The module ignores the buffer without momentum, so it need not be valid then.
      let buf = { ptr: 0, length: 0 };
      if (o.momentum !== 0) {
        buf = live("sgdStep", "momentumBuf", bufSt);
        if (buf.length !== param.length) {
          fail(
            "sgdStep",
            `momentumBuf has ${buf.length} elements but param has ${param.length} (momentum=${o.momentum})`,
          );
        }
        if (buf === param) fail("sgdStep", "momentumBuf must be a storage other than param");
      }
      ex.sgd_step(
        param.ptr,
        param.length,
        grad.ptr,
        grad.length,
        buf.ptr,
        buf.length,
        o.lr,
        o.momentum,
        o.dampening,
        o.weightDecay,
        o.nesterov ? 1 : 0,
        o.maximize ? 1 : 0,
        o.firstStep ? 1 : 0,
      );
    },
    ...wasmOptimKernels(ex, { begin, live, fail }),
    ...wasmNnKernels(ex, { begin, live, fail, checkSize, memory }),
  };
  // Calls into the module cost little, so the three products' own kernels serve.
  return { ...backend, linearBackward: linearBackwardOf(backend) };
}
