import type { Backend, Storage } from "../../backend/backend.js";
import { createSlabAllocator } from "../slab.js";
import { binary } from "./binary.js";
import { matmul } from "./matmul.js";
import { scale } from "./scale.js";
import { sgdStep } from "./sgdStep.js";
import { mean, sum } from "./sum.js";
import { sumRows } from "./sumRows.js";

// Storage handed out by this backend is always a Float32Array.
const f32 = (s: Storage): Float32Array => s as Float32Array;

/** The pure-TypeScript reference backend: readable loops, the answer the others are tested against. */
export function createJsBackend(): Backend {
  const alloc = createSlabAllocator();
  return {
    name: "js",
    simd: "none",
    alloc,
    fromFloat32Array: (data) => {
      const copy = alloc(data.length);
      copy.set(data);
      return copy;
    },
    toFloat32Array: (s) => Float32Array.from(f32(s)),
    fill: (s, value) => void f32(s).fill(value),
    copy: (src, dst) => f32(dst).set(f32(src)),
    free: () => {},
    matmul: (a, b, out, m, k, n, transA, transB) => matmul(f32(a), f32(b), f32(out), m, k, n, transA, transB),
    binary: (op, a, b, out) => binary(op, f32(a), f32(b), f32(out)),
    scale: (a, s, out) => scale(f32(a), s, f32(out)),
    sum: (a) => sum(f32(a)),
    mean: (a) => mean(f32(a)),
    sumRows: (a, out, rows, cols) => sumRows(f32(a), f32(out), rows, cols),
    sgdStep: (param, grad, buf, o) => sgdStep(f32(param), f32(grad), f32(buf), o),
  };
}
