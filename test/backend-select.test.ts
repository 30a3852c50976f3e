// Runtime choice: native, then wasm, then js; DESCENT_BACKEND forces one. Within wasm,
// the relaxed-SIMD build where the engine accepts it; DESCENT_WASM_SIMD forces one.
import { execFileSync } from "node:child_process";
import { afterEach, expect, test, vi } from "vitest";
import { loadWasmBackendSync } from "../ts/backends/wasm.js";

function inFreshProcess(env: Record<string, string | undefined>): string {
  const script = 'import { backendInfo } from "descent"; console.log(JSON.stringify(backendInfo()));';
  return execFileSync("npx", ["tsx", "--conditions=source", "--input-type=module", "-e", script], {
    env: { ...process.env, DESCENT_BACKEND: undefined, DESCENT_WASM_SIMD: undefined, ...env },
    encoding: "utf8",
  });
}

test("without DESCENT_BACKEND the native backend is chosen first, with its SIMD level", () => {
  const info = JSON.parse(inFreshProcess({}));
  expect(info.name).toBe("native");
  expect(info.tried).toEqual([{ name: "native", ok: true }]);
  expect(info.simd).toMatch(/avx2/);
});

test.each(["wasm", "js"])("DESCENT_BACKEND=%s forces that backend", (name) => {
  expect(JSON.parse(inFreshProcess({ DESCENT_BACKEND: name })).name).toBe(name);
});

test("an unknown DESCENT_BACKEND is an error naming the value", () => {
  expect(() => inFreshProcess({ DESCENT_BACKEND: "cuda" })).toThrow(/DESCENT_BACKEND: unknown backend "cuda"/);
});

test("the wasm backend runs the relaxed-SIMD build (on Node 20, once V8's flag for it is set)", () => {
  const info = JSON.parse(inFreshProcess({ DESCENT_BACKEND: "wasm" }));
  expect(info.simd).toBe("simd128+relaxed");
  expect(info.simdSkipped).toBeUndefined();
});

test("DESCENT_WASM_SIMD=simd128 forces the SIMD128 build, and backendInfo says why", () => {
  const info = JSON.parse(inFreshProcess({ DESCENT_BACKEND: "wasm", DESCENT_WASM_SIMD: "simd128" }));
  expect(info.simd).toBe("simd128");
  expect(info.simdSkipped).toBe("relaxed SIMD: DESCENT_WASM_SIMD=simd128");
});

test("an unknown DESCENT_WASM_SIMD is an error naming the value", () => {
  expect(() => inFreshProcess({ DESCENT_BACKEND: "wasm", DESCENT_WASM_SIMD: "avx" })).toThrow(
    /DESCENT_WASM_SIMD: unknown value "avx"; expected simd128 or relaxed/,
  );
});

afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.DESCENT_WASM_SIMD;
});

test("an engine that rejects relaxed SIMD gets the SIMD128 build, with the reason", () => {
  vi.spyOn(WebAssembly, "validate").mockReturnValue(false);
  const backend = loadWasmBackendSync();
  expect(backend.simd).toBe("simd128");
  expect(backend.simdSkipped).toMatch(/^relaxed SIMD: V8 \S+ (rejects|does not validate) relaxed SIMD/);
  process.env.DESCENT_WASM_SIMD = "relaxed";
  expect(() => loadWasmBackendSync()).toThrow(/^DESCENT_WASM_SIMD=relaxed: V8 \S+ /);
});
