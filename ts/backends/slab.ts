const slabBytes = 1 << 20;
/** Larger storages get a buffer of their own: the allocation cost is small beside their use. */
const maxSlabbedBytes = 1 << 16;

/**
 * Zero-filled Float32Arrays for the GC-managed backends (js, native). A new ArrayBuffer
 * costs about a microsecond, more than a small kernel, so small arrays are carved
 * from 1 MiB slabs by bumping an offset instead. A region is never reused: a slab is
 * freed by the garbage collector once every array on it is unreachable, and arrays of
 * a training step's temporaries die together.
 */
export function createSlabAllocator(): (length: number) => Float32Array {
  let slab = new ArrayBuffer(slabBytes);
  let offset = 0;
  return (length) => {
    const bytes = length * 4;
    if (bytes > maxSlabbedBytes) return new Float32Array(length);
    if (offset + bytes > slabBytes) {
      slab = new ArrayBuffer(slabBytes);
      offset = 0;
    }
    const array = new Float32Array(slab, offset, length);
    // 64-byte steps keep every array aligned for the widest SIMD loads.
    offset += (bytes + 63) & ~63;
    return array;
  };
}
