// The wasm backend's view of linear memory: growing memory detaches the old buffer, and
// every read and write after it must go through a fresh view.
import { describe, expect, test } from "vitest";
import type { Backend } from "../ts/backend/backend.js";
import { wasmBuilds } from "./backends.js";

for (const [name, load] of wasmBuilds) {
  describe(name, () => {
    test("storages keep their values, and fill, copy and item work, after linear memory grows", () => {
      const backend = load() as Backend & { memoryBytes(): number };
      const small = backend.alloc(5);
      backend.fill(small, 3);
      expect(backend.item(small, 4)).toBe(3);
      const before = backend.memoryBytes();
      const large = backend.alloc(before / 4 + 1024);
      expect(backend.memoryBytes()).toBeGreaterThan(before);
      backend.fill(large, 1);
      expect(backend.item(small, 4)).toBe(3);
      backend.fill(small, -2);
      const copy = backend.alloc(5);
      backend.copy(small, copy);
      expect(Array.from(backend.toFloat32Array(copy))).toEqual([-2, -2, -2, -2, -2]);
      expect(backend.item(large, large.length - 1)).toBe(1);
    });

    test("item of an index outside the storage is an Error naming it", () => {
      const backend = load();
      const s = backend.alloc(2);
      expect(() => backend.item(s, 2)).toThrow("item: index 2 is out of range for 2 elements");
      expect(() => backend.item(s, -1)).toThrow("item: index -1 is out of range for 2 elements");
    });
  });
}
