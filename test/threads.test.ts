// setNumThreads/getNumThreads at the package root: validated, reported by backendInfo,
// and 1 on the single-threaded backends.
import { afterAll, describe, expect, test } from "vitest";
import { backendInfo, getNumThreads, setBackend, setNumThreads } from "../ts/index.js";

describe("threads", () => {
  const start = getNumThreads();
  afterAll(async () => {
    await setBackend("native");
    setNumThreads(start);
  });

  test("the native default is the available parallelism, and backendInfo reports it", async () => {
    await setBackend("native");
    const { availableParallelism } = await import("node:os");
    expect(start).toBe(availableParallelism());
    expect(backendInfo().threads).toBe(start);
  });

  test("setNumThreads sets what getNumThreads and backendInfo report", async () => {
    await setBackend("native");
    setNumThreads(1);
    expect(getNumThreads()).toBe(1);
    expect(backendInfo().threads).toBe(1);
    setNumThreads(3);
    expect(getNumThreads()).toBe(3);
  });

  test.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2000, "2" as unknown as number])(
    "setNumThreads(%s) throws a RangeError naming the argument",
    (n) => {
      expect(() => setNumThreads(n)).toThrow(/setNumThreads: n must be an integer in 1\.\.1024/);
    },
  );

  test.each(["wasm", "js"] as const)("the %s backend reports one thread", async (name) => {
    await setBackend(name);
    expect(getNumThreads()).toBe(1);
    expect(backendInfo().threads).toBe(1);
    setNumThreads(2);
    expect(getNumThreads()).toBe(1);
  });
});
