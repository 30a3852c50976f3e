import { readFileSync } from "node:fs";
import { beforeAll, describe, expect } from "vitest";
import type { Backend, BackendName, UnaryOp } from "../ts/backend/backend.js";
import { loadNativeBackend } from "../ts/backends/native.js";
import { loadWasmBackendSync } from "../ts/backends/wasm.js";
import { type WasmVariant, wasmFiles } from "../ts/backends/wasmVariant.js";
import { setBackend } from "../ts/index.js";

/** Every backend; the suite runs each one, so a backend that fails to load fails its tests. */
export const allBackends: readonly BackendName[] = ["native", "wasm", "js"];

const wasmSimd: Record<WasmVariant, string> = { simd128: "simd128", relaxed: "simd128+relaxed" };

/** One wasm build, read from build/wasm; a missing file, or an engine that refuses it, is an Error. */
function loadWasmBuild(variant: WasmVariant): Backend {
  const read = (v: WasmVariant) => readFileSync(new URL(`../${wasmFiles[v]}`, import.meta.url));
  // The relaxed build goes through the runtime choice, which enables relaxed SIMD on Node 20.
  const backend =
    variant === "simd128"
      ? loadWasmBackendSync(read("simd128"))
      : loadWasmBackendSync({ relaxed: read("relaxed"), simd128: read("simd128") });
  if (backend.simd !== wasmSimd[variant]) {
    throw new Error(`the ${variant} wasm build runs ${backend.simd}, expected ${wasmSimd[variant]}`);
  }
  return backend;
}

/**
 * Both wasm builds, for the kernel tests against the reference: the relaxed one rounds
 * matrix products differently (fused multiply-adds). The rest of the suite runs the
 * build the runtime picks.
 */
export const wasmBuilds: [string, () => Backend][] = [
  ["wasm simd128", () => loadWasmBuild("simd128")],
  ["wasm relaxed", () => loadWasmBuild("relaxed")],
];

/**
 * The native backend as loaded by default, with its small calls in JavaScript, and with
 * every call on the addon, for the kernel tests: so that the Rust kernels are tested at
 * every size too.
 */
export const nativeConfigs: [string, () => Backend][] = [
  ["native", () => loadNativeBackend()],
  ["native addon only", () => loadNativeBackend({ smallCallsInJs: false })],
];

/**
 * How far each unary op may be from the reference, in ulp (see kernels-nn.test.ts): exact
 * where float32 and the reference's float64 round the same, 2 for exp and log (a float32
 * kernel within 1.5 ulp of the truth), 4 for sigmoid and tanh (an exp, an add and a divide).
 */
export const unaryUlp: Record<UnaryOp, number> = {
  neg: 0,
  abs: 0,
  sign: 0,
  relu: 0,
  sqrt: 0,
  exp: 2,
  log: 2,
  sigmoid: 4,
  tanh: 4,
};

/** Runs `body` once per backend, with that backend active for the tensors its tests create. */
export function describeEachBackend(title: string, body: (name: BackendName) => void): void {
  for (const name of allBackends) {
    describe(`${title} [${name}]`, () => {
      beforeAll(() => setBackend(name));
      body(name);
    });
  }
}

/**
 * Asserts |actual - expected| <= atol + rtol·|expected| elementwise, naming the worst element.
 * NaN matches NaN and an infinity matches the same infinity.
 */
export function expectClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol = 0,
  /** Says which case failed, e.g. the shape. */
  what = "",
): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (a === e || (Number.isNaN(a) && Number.isNaN(e))) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= worstExcess)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
    }
  }
  if (worst >= 0) {
    const where = what ? `${what}, element ${worst}` : `element ${worst}`;
    expect.fail(`${where}: ${actual[worst]} vs expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
  }
}

/** A deterministic stream of floats in [-1, 1) for test inputs. */
export function testValues(seed: number): (n: number) => Float32Array {
  let state = seed >>> 0 || 1;
  return (n) => {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      out[i] = (state >>> 0) / 2 ** 31 - 1;
    }
    return out;
  };
}

const ulpBits = new Int32Array(1);
const ulpFloat = new Float32Array(ulpBits.buffer);

/** Position of a float32 on the number line counted in float32 steps; ±0 both map to 0. */
function ulpIndex(x: number): number {
  ulpFloat[0] = x;
  const bits = ulpBits[0] as number;
  return bits < 0 ? -(bits & 0x7fffffff) : bits;
}

/**
 * Distance in float32 units in the last place: how many float32 values lie between `a`
 * and `b` (rounded to float32 first), plus one. ±0 are equal, NaN is 0 from NaN and
 * infinitely far from anything else; ±inf sit one step beyond ±3.4028235e38.
 */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Number.POSITIVE_INFINITY;
  return Math.abs(ulpIndex(a) - ulpIndex(b));
}

/** Asserts elementwise `ulpDistance(actual, expected) <= maxUlp`, naming the case, the worst element and its input. */
export function expectUlp(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  maxUlp: number,
  inputs?: ArrayLike<number>,
  what = "",
): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstUlp = maxUlp;
  for (let i = 0; i < expected.length; i++) {
    const d = ulpDistance(actual[i] as number, expected[i] as number);
    if (d > worstUlp) {
      worst = i;
      worstUlp = d;
    }
  }
  if (worst >= 0) {
    const where = `${what ? `${what}, ` : ""}element ${worst}${inputs ? ` (input ${inputs[worst]})` : ""}`;
    expect.fail(`${where}: ${actual[worst]} vs expected ${expected[worst]}, ${worstUlp} ulp apart (max ${maxUlp})`);
  }
}
