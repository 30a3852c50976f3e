// Hand-computed values of the nn kernels (checked against PyTorch) and the Errors they throw
// on bad arguments, on every backend including the js reference itself. A bad argument must
// come back as an Error naming the op, never as a crash or a read outside a storage.
import { beforeAll, describe, expect, test } from "vitest";
import type { Backend, Storage } from "../ts/backend/backend.js";
import { createJsBackend } from "../ts/backends/js/index.js";
import { loadNativeBackend } from "../ts/backends/native.js";
import { expectClose, nativeConfigs, wasmBuilds } from "./backends.js";

const allBackends: [string, () => Backend | Promise<Backend>][] = [
  ...nativeConfigs,
  ...wasmBuilds,
  ["js", createJsBackend],
];

for (const [name, load] of allBackends) {
  describe(`${name} nn kernels on hand-computed examples and bad arguments`, () => {
    let b: Backend;
    beforeAll(async () => {
      b = await load();
    });
    const on = (x: number[]) => b.fromFloat32Array(Float32Array.from(x));
    const read = (s: Storage) => Array.from(b.toFloat32Array(s));
    const closeTo = (got: number[], want: number[]) => expectClose(got, Float32Array.from(want), 2e-7, 2e-7);

    test("softmax, logSoftmax and their backward of [1, 2, 3] (PyTorch's values within 2e-7)", () => {
      const out = b.alloc(3);
      b.softmax(on([1, 2, 3]), out, 1, 3, 1, false);
      closeTo(read(out), [0.09003057, 0.24472847, 0.66524096]);
      b.softmax(on([1, 2, 3]), out, 1, 3, 1, true);
      closeTo(read(out), [-2.40760596, -1.40760596, -0.40760596]);
      // Over the first axis of [[1, 5], [2, 5], [3, 5]]: inner = 2.
      const columns = b.alloc(6);
      b.softmax(on([1, 5, 2, 5, 3, 5]), columns, 1, 3, 2, false);
      closeTo(read(columns), [0.09003057, 1 / 3, 0.24472847, 1 / 3, 0.66524096, 1 / 3]);
      b.softmaxBackward(on([0.09003057, 0.24472847, 0.66524096]), on([1, 0, 0]), out, 1, 3, 1, false);
      closeTo(read(out), [0.08192507, -0.02203304, -0.05989202]);
      b.softmaxBackward(on([-2.40760596, -1.40760596, -0.40760596]), on([1, 0, 0]), out, 1, 3, 1, true);
      closeTo(read(out), [0.90996943, -0.24472847, -0.66524096]);
    });

    test("crossEntropy of [[1, 2, 3], [0, 0, 0]] against [2, 0] and its backward (PyTorch's values within 2e-7)", () => {
      const losses = b.alloc(2);
      b.crossEntropy(on([1, 2, 3, 0, 0, 0]), on([2, 0]), losses, 2, 3);
      closeTo(read(losses), [0.40760596, Math.log(3)]);
      const grad = b.alloc(6);
      b.crossEntropyBackward(on([1, 2, 3, 0, 0, 0]), on([2, 0]), on([1, 0.5]), grad, 2, 3);
      closeTo(read(grad), [0.09003057, 0.24472847, -0.33475904, -1 / 3, 1 / 6, 1 / 6]);
    });

    test("stridedCopy transposes a 2×3 and broadcasts a row; maxAxis, sumAxis, sign, relu, exp in place and pow by hand", () => {
      const out = b.alloc(6);
      b.stridedCopy(on([1, 2, 3, 4, 5, 6]), out, [3, 2], [1, 3]);
      expect(read(out)).toEqual([1, 4, 2, 5, 3, 6]);
      b.stridedCopy(on([1, 2, 3]), out, [2, 3], [0, 1]);
      expect(read(out)).toEqual([1, 2, 3, 1, 2, 3]);
      const [values, indices] = [b.alloc(2), b.alloc(2)];
      b.maxAxis(on([1, 5, 3, 5, NaN, 2, 3, NaN]), values, indices, 1, 4, 2);
      expect(read(values)).toEqual([NaN, NaN]);
      expect(read(indices)).toEqual([2, 3]);
      const [value, index] = [b.alloc(1), b.alloc(1)];
      b.maxAxis(on([1, 3, 3, 2]), value, index, 1, 4, 1);
      expect([...read(value), ...read(index)]).toEqual([3, 1]);
      const sums = b.alloc(3);
      b.sumAxis(on([1, 2, 3, 4, 5, 6]), sums, 3, 2, 1);
      expect(read(sums)).toEqual([3, 7, 11]);
      const edge = b.alloc(6);
      // sign(NaN) is NaN as in NumPy; PyTorch returns 0 there (pytorch/pytorch#41245, still open).
      b.unary("sign", on([0, -0, NaN, -3, 2, Infinity]), edge);
      expect(read(edge)).toEqual([0, 0, NaN, -1, 1, 1]);
      b.unary("relu", on([NaN, -0, -1, 2, -Infinity, Infinity]), edge);
      expect(read(edge)).toEqual([NaN, 0, 0, 2, 0, Infinity]);
      // In place: out may be a.
      const inPlace = on([0, 1, -1, 2]);
      b.unary("exp", inPlace, inPlace);
      closeTo(read(inPlace), [1, Math.E, 1 / Math.E, Math.E ** 2]);
      const powers = b.alloc(4);
      b.powScalar(on([-2, -8, 0, 1]), 3, powers);
      expect(read(powers)).toEqual([-8, -512, 0, 1]);
      b.powScalar(on([-2, -8, 0, 1]), 0.5, powers);
      expect(read(powers)).toEqual([NaN, NaN, 0, 1]);
    });

    test("a bad target, view, axis or length throws an Error naming the op and the value, and the backend still works", () => {
      const logits = on([1, 2, 3, 0, 0, 0]);
      for (const bad of [3, 7, -1, 1.5, NaN]) {
        const value = String(bad).replace(".", "\\.");
        expect(() => b.crossEntropy(logits, on([0, bad]), b.alloc(2), 2, 3)).toThrow(
          new RegExp(`crossEntropy.*${value}`),
        );
        expect(() => b.crossEntropyBackward(logits, on([bad, 0]), on([1, 1]), b.alloc(6), 2, 3)).toThrow(
          new RegExp(`crossEntropyBackward.*${value}`),
        );
      }
      expect(() => b.crossEntropy(logits, on([0, 1]), b.alloc(2), 2, 4)).toThrow(/crossEntropy/);
      // Views reaching past a 3-element storage, a stride count that does not match the shape, an out of the wrong length.
      expect(() => b.stridedCopy(on([1, 2, 3]), b.alloc(4), [2, 2], [2, 1])).toThrow(/stridedCopy/);
      expect(() => b.stridedCopy(on([1, 2, 3]), b.alloc(2), [2, 1], [100, 0])).toThrow(/stridedCopy/);
      expect(() => b.stridedCopy(on([1, 2, 3]), b.alloc(3), [3], [1, 1])).toThrow(/stridedCopy/);
      expect(() => b.stridedCopy(on([1, 2, 3]), b.alloc(2), [3], [1])).toThrow(/stridedCopy/);
      expect(() => b.maxAxis(b.alloc(0), b.alloc(2), b.alloc(2), 1, 0, 2)).toThrow(/maxAxis/);
      expect(() => b.maxAxis(on([1, 2, 3]), b.alloc(1), b.alloc(1), 1, 4, 1)).toThrow(/maxAxis/);
      expect(() => b.sumAxis(on([1, 2, 3]), b.alloc(1), 1, 4, 1)).toThrow(/sumAxis/);
      expect(() => b.softmax(on([1, 2, 3]), b.alloc(3), 1, 4, 1, false)).toThrow(/softmax/);
      // Sizes that are not non-negative integers, even where the lengths would seem to fit.
      expect(() => b.softmax(on([1, 2, 3]), b.alloc(3), 1, 1.5, 2, false)).toThrow(/softmax.*1\.5/);
      expect(() => b.sumAxis(on([1]), b.alloc(1), -1, -1, 1)).toThrow(/sumAxis.*-1/);
      expect(() => b.softmaxBackward(on([1, 2]), on([1, 2, 3]), b.alloc(3), 1, 3, 1, true)).toThrow(/softmax/);
      expect(() => b.unary("exp", on([1, 2, 3]), b.alloc(2))).toThrow(/unary|exp/);
      expect(() => b.powScalar(on([1, 2, 3]), 2, b.alloc(4))).toThrow(/pow/);
      expect(() => b.activationBackward("tanh", on([1, 2, 3]), on([1, 2]), b.alloc(3))).toThrow(
        /activationBackward|tanh/,
      );
      // Still working after every refusal.
      const losses = b.alloc(1);
      b.crossEntropy(on([1, 2, 3]), on([2]), losses, 1, 3);
      closeTo(read(losses), [0.40760596]);
    });
  });
}

describe("native stridedCopy with a shape whose getter detaches a buffer", () => {
  // The addon reads the shape arrays (which may run getters) before it takes the arrays'
  // memory: otherwise a getter could detach a buffer the kernel then reads or writes.
  const detaching = (array: Float32Array, size: number): number[] => {
    const shape = [size];
    Object.defineProperty(shape, 0, {
      get() {
        structuredClone(array.buffer, { transfer: [array.buffer] });
        return size;
      },
    });
    return shape;
  };

  test("an input detached by the getter is an Error, not a read of freed memory", () => {
    const b = loadNativeBackend();
    const a = Float32Array.of(1, 2, 3);
    expect(() => b.stridedCopy(a, new Float32Array(3), detaching(a, 3), [1])).toThrow(/stridedCopy/);
  });

  test("an output detached by the getter is an Error, not a write to freed memory", () => {
    const b = loadNativeBackend();
    const out = new Float32Array(3);
    expect(() => b.stridedCopy(Float32Array.of(1, 2, 3), out, detaching(out, 3), [1])).toThrow(/stridedCopy/);
    expect(out.buffer.byteLength).toBe(0);
  });
});
