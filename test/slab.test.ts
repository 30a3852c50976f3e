// The allocator behind the js and native backends' storages: small arrays carved from
// shared slabs, and every array recycled once freed: zero-filled by alloc, as it was
// left by allocUnset.
import { describe, expect, test } from "vitest";
import { createSlabAllocator } from "../ts/backends/slab.js";

const large = 1 << 15; // 128 KiB of floats: above the slab limit

describe("slab allocator", () => {
  test("small arrays share a slab, each 64-byte aligned and zero-filled", () => {
    const { alloc } = createSlabAllocator();
    const [a, b] = [alloc(3), alloc(5)];
    expect(a.buffer).toBe(b.buffer);
    expect(b.byteOffset - a.byteOffset).toBe(64);
    expect(Array.from(b)).toEqual([0, 0, 0, 0, 0]);
  });

  test("a freed large array comes back zero-filled for the same length only", () => {
    const { alloc, free } = createSlabAllocator();
    const first = alloc(large).fill(7);
    free(first);
    expect(alloc(large + 1)).not.toBe(first);
    const again = alloc(large);
    expect(again).toBe(first);
    expect(again.every((x) => x === 0)).toBe(true);
    expect(alloc(large)).not.toBe(first);
  });

  test("allocUnset hands a freed array back as it was, and new ones zero-filled", () => {
    const { alloc, allocUnset, free } = createSlabAllocator();
    for (const length of [large, 3]) {
      const first = alloc(length).fill(7);
      free(first);
      const again = allocUnset(length);
      expect(again).toBe(first);
      expect(again.every((x) => x === 7)).toBe(true);
    }
    expect(Array.from(allocUnset(4))).toEqual([0, 0, 0, 0]);
  });

  test("a freed small array comes back zero-filled for the same length only, once", () => {
    const { alloc, free } = createSlabAllocator();
    const small = alloc(10).fill(3);
    free(small);
    expect(alloc(11)).not.toBe(small);
    const again = alloc(10);
    expect(again).toBe(small);
    expect(Array.from(again)).toEqual(new Array(10).fill(0));
    expect(alloc(10)).not.toBe(small);
  });

  test("a large view into another buffer is never handed out", () => {
    const { alloc, free } = createSlabAllocator();
    const view = new Float32Array(new ArrayBuffer(16 * large), 0, 2 * large);
    free(view);
    expect(alloc(2 * large)).not.toBe(view);
  });

  test("at most 128 small arrays are kept for reuse: each keeps its slab alive", () => {
    const { alloc, free } = createSlabAllocator();
    const arrays = Array.from({ length: 129 }, () => alloc(2));
    for (const a of arrays) free(a);
    const reused = Array.from({ length: 129 }, () => alloc(2)).filter((a) => arrays.includes(a));
    expect(reused).toHaveLength(128);
  });

  test("at most 64 MiB are kept for reuse", () => {
    const { alloc, free } = createSlabAllocator();
    const length = 1 << 20; // 4 MiB each
    const arrays = Array.from({ length: 17 }, () => alloc(length));
    for (const a of arrays) free(a);
    const reused = Array.from({ length: 17 }, () => alloc(length)).filter((a) => arrays.includes(a));
    expect(reused).toHaveLength(16);
  });
});
