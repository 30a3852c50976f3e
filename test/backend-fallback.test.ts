// A backend that fails to load is skipped with its reason, never silently.
import { expect, test, vi } from "vitest";

vi.mock("../ts/backends/native.js", () => ({
  loadNativeBackend: () => {
    throw new Error("native backend: could not load the addon", { cause: new Error("simulated missing file") });
  },
}));

test("when native fails, wasm is chosen and backendInfo and the warning say why native and relaxed SIMD were skipped", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on("warning", onWarning);
  const { backendInfo, getBackend, setBackend } = await import("../ts/index.js");
  const previous = process.env.DESCENT_BACKEND;
  delete process.env.DESCENT_BACKEND;
  process.env.DESCENT_WASM_SIMD = "simd128";
  try {
    expect(getBackend()).toBe("wasm");
    const info = backendInfo();
    expect(info.tried).toEqual([
      { name: "native", ok: false, reason: "native backend: could not load the addon: simulated missing file" },
      { name: "wasm", ok: true },
    ]);
    expect(info.simd).toBe("simd128");
    expect(info.simdSkipped).toBe("relaxed SIMD: DESCENT_WASM_SIMD=simd128");
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.join("\n")).toMatch(
      /using the wasm backend because faster ones failed to load \(native: .*simulated.*; wasm runs simd128: relaxed SIMD: DESCENT_WASM_SIMD=simd128\)/,
    );
    await expect(setBackend("native")).rejects.toThrow(/setBackend: the native backend cannot be loaded: .*simulated/);
    await expect(setBackend("gpu" as never)).rejects.toThrow(
      'setBackend: unknown backend "gpu"; expected one of native, wasm, js',
    );
  } finally {
    process.off("warning", onWarning);
    delete process.env.DESCENT_WASM_SIMD;
    if (previous !== undefined) process.env.DESCENT_BACKEND = previous;
  }
});
