import { beforeAll, describe, expect } from "vitest";
import type { BackendName } from "../ts/backend/backend.js";
import { setBackend } from "../ts/index.js";

/** Every backend; the suite runs each one, so a backend that fails to load fails its tests. */
export const allBackends: readonly BackendName[] = ["native", "wasm", "js"];

/** Runs `body` once per backend, with that backend active for the tensors its tests create. */
export function describeEachBackend(title: string, body: (name: BackendName) => void): void {
  for (const name of allBackends) {
    describe(`${title} [${name}]`, () => {
      beforeAll(() => setBackend(name));
      body(name);
    });
  }
}

/** Asserts |actual - expected| <= atol + rtol·|expected| elementwise (NaN matches NaN), naming the worst element. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, atol: number, rtol = 0): void {
  expect(actual.length).toBe(expected.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i] as number;
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (!(excess <= worstExcess)) {
      worst = i;
      worstExcess = Number.isNaN(excess) ? Number.POSITIVE_INFINITY : excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`element ${worst}: ${actual[worst]} vs expected ${expected[worst]} (atol ${atol}, rtol ${rtol})`);
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
