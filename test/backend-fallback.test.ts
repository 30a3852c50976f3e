// A backend that fails to load is skipped with its reason, never silently.
import { expect, test, vi } from "vitest";

vi.mock("../ts/backends/native.js", () => ({
  loadNativeBackend: () => {
    throw new Error("native backend: could not load the addon", { cause: new Error("simulated missing file") });
  },
}));

test("when native fails, wasm is chosen and backendInfo says why native was skipped", async () => {
  const warnings: string[] = [];
  const onWarning = (w: Error) => warnings.push(w.message);
  process.on("warning", onWarning);
  const { backendInfo, getBackend, setBackend } = await import("../ts/index.js");
  const previous = process.env.DESCENT_BACKEND;
  delete process.env.DESCENT_BACKEND;
  try {
    expect(getBackend()).toBe("wasm");
    const info = backendInfo();
    expect(info.tried).toEqual([
      { name: "native", ok: false, reason: "native backend: could not load the addon: simulated missing file" },
      { name: "wasm", ok: true },
    ]);
    expect(info.simd).toBe("simd128");
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings.join("\n")).toMatch(
      /using the wasm backend because faster ones failed to load \(native: .*simulated/,
    );
    await expect(setBackend("native")).rejects.toThrow(/setBackend: the native backend cannot be loaded: .*simulated/);
    await expect(setBackend("gpu" as never)).rejects.toThrow(
      'setBackend: unknown backend "gpu"; expected one of native, wasm, js',
    );
  } finally {
    process.off("warning", onWarning);
    if (previous !== undefined) process.env.DESCENT_BACKEND = previous;
  }
});
