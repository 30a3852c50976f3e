// The allocator behind the js and native backends' storages: small arrays carved from
// shared slabs, and every array recycled once freed: zero-filled by alloc, as it was
// left by allocUnset.
import { describe, expect, test } from "vitest";
import { loadNativeBackend, requireAddon } from "../ts/backends/native.js";
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

  test("given where memory lies, every array starts on a 64-byte boundary of it, and large ones are still recycled", () => {
    // As if every buffer's memory started 16 bytes past a boundary, as a 1 MiB one does.
    const { alloc, free } = createSlabAllocator(() => 16);
    const [a, b] = [alloc(3), alloc(5)];
    expect([a.byteOffset, b.byteOffset]).toEqual([48, 112]);
    const big = alloc(large);
    expect([big.byteOffset, big.buffer.byteLength]).toEqual([48, 4 * large + 64]);
    free(big);
    expect(alloc(large)).toBe(big);
  });

  test("a slab holds 1 MiB from its first boundary, then a new one starts, aligned", () => {
    const { alloc } = createSlabAllocator(() => 16);
    const first = alloc(16);
    // 64 bytes, then 15 of the largest carved arrays (64 KiB), then the rest of the MiB.
    const filling = Array.from({ length: 15 }, () => alloc(1 << 14));
    const last = alloc((1 << 14) - 16);
    const next = alloc(16);
    expect(new Set([first, ...filling, last].map((a) => a.buffer)).size).toBe(1);
    expect(last.byteOffset + last.byteLength).toBe(48 + (1 << 20));
    expect(next.buffer).not.toBe(first.buffer);
    expect(next.byteOffset).toBe(48);
  });
});

test("every native storage starts on a 64-byte boundary in memory, small and large, however made", () => {
  const addon = requireAddon();
  const backend = loadNativeBackend();
  const made: Float32Array[] = [];
  for (const length of [1, 3, 100, 1000, 20_000, large, 3 * large + 1]) {
    for (let i = 0; i < 3; i++) made.push(backend.alloc(length) as Float32Array);
    made.push(backend.allocUnset(length) as Float32Array);
    made.push(backend.fromFloat32Array(new Float32Array(length)) as Float32Array);
  }
  expect(made.map((view) => addon.misalignment(view))).toEqual(made.map(() => 0));
});
