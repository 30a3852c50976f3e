const slabBytes = 1 << 20;
/** Larger storages get a buffer of their own: the allocation cost is small beside their use. */
const maxSlabbedBytes = 1 << 16;
/**
 * Disposed storages of their own buffer kept for reuse, at most this many bytes: a new
 * 800 KB Float32Array costs ~60 µs (a fresh mapping, then a page fault per 4 KB on first
 * write), zeroing a recycled one ~15 µs, and a training step frees the same sizes it
 * allocates next.
 */
const maxRecycledBytes = 64 << 20;
/**
 * Disposed slab regions kept for reuse, at most this many. Reusing one is a lookup;
 * carving a new one writes memory no step has touched yet (a page fault per 4 KiB),
 * which made a new tensor twice as costly as its Float32Array. Each pins its slab.
 */
const maxRecycledRegions = 128;
/** Lengths below this are looked up by index among the recycled arrays. */
const shortLengths = 1024;
/** Every array starts on a boundary of this many bytes: a cache line, and the widest vector. */
const alignBytes = 64;

/**
 * `array.fill(value)`. The builtin costs ~100 ns even for one element (a loss, a
 * backward seed); a plain loop is cheaper below a few dozen.
 */
export function fillFloats(array: Float32Array | Float64Array, value: number): void {
  if (array.length > 32) {
    array.fill(value);
    return;
  }
  for (let i = 0; i < array.length; i++) array[i] = value;
}

/** Float32Arrays, and where disposed ones go. */
export interface Float32Allocator {
  /** Zero-filled. */
  alloc(length: number): Float32Array;
  /** Zeros or a recycled array's old values, for an output a kernel overwrites entirely. */
  allocUnset(length: number): Float32Array;
  /** `array` is no longer used by anyone (whoever made it); it may be handed out again. */
  free(array: Float32Array): void;
}

/**
 * Float32Arrays for the GC-managed backends (js, native). A new ArrayBuffer
 * costs about a microsecond, more than a small kernel, so small arrays are carved
 * from 1 MiB slabs by bumping an offset instead; a slab is freed by the garbage
 * collector once every array on it is unreachable. Freed arrays, small and large, are
 * handed out again for the same length: a training step frees the sizes it allocates next.
 *
 * An ArrayBuffer's memory is only 16-byte aligned, and JavaScript cannot see where it
 * lies. Given `misalignment` (the native addon's: how many bytes past a 64-byte boundary
 * a view's memory starts), every buffer gets 64 bytes more and its arrays start from the
 * first boundary in it, so the kernels' vectors never straddle cache lines.
 */
export function createSlabAllocator(misalignment?: (view: Float32Array) => number): Float32Allocator {
  const slack = misalignment === undefined ? 0 : alignBytes;
  /** A zeroed buffer of at least `bytes` and the offset in it of its first aligned byte. */
  const newBuffer = (bytes: number): [buffer: ArrayBuffer, start: number] => {
    const buffer = new ArrayBuffer(bytes + slack);
    if (misalignment === undefined) return [buffer, 0];
    return [buffer, (alignBytes - misalignment(new Float32Array(buffer, 0, 1))) % alignBytes];
  };
  let [slab, offset] = newBuffer(slabBytes);
  // Freed arrays by length: the shortest in an array indexed by it, whose lookup is a
  // load where a Map's is a hash probe (a training step allocates and frees several
  // tensors); the rest in a Map.
  const recycledShort: (Float32Array[] | undefined)[] = new Array(shortLengths).fill(undefined);
  const recycledLong = new Map<number, Float32Array[]>();
  const recycledOf = (length: number) => (length < shortLengths ? recycledShort[length] : recycledLong.get(length));
  let recycledBytes = 0;
  let recycledRegions = 0;
  /** A freed array of exactly `length` floats, as it was left, if one is kept. */
  const reuse = (length: number): Float32Array | undefined => {
    const array = recycledOf(length)?.pop();
    if (array === undefined) return undefined;
    // From the length: a typed array's byteLength getter is a call, its length is not.
    const bytes = length * 4;
    if (bytes <= maxSlabbedBytes) recycledRegions--;
    else recycledBytes -= bytes;
    return array;
  };
  /** A new array: zero, since carved regions and new buffers start zeroed. */
  const create = (length: number): Float32Array => {
    const bytes = length * 4;
    if (bytes > maxSlabbedBytes) {
      const [buffer, start] = newBuffer(bytes);
      return new Float32Array(buffer, start, length);
    }
    if (offset + bytes > slabBytes + slack) [slab, offset] = newBuffer(slabBytes);
    const array = new Float32Array(slab, offset, length);
    // Steps of whole boundaries keep every array as aligned as the slab's first.
    offset += (bytes + alignBytes - 1) & -alignBytes;
    return array;
  };
  return {
    alloc(length) {
      const array = reuse(length);
      if (array === undefined) return create(length);
      fillFloats(array, 0);
      return array;
    },
    allocUnset: (length) => reuse(length) ?? create(length),
    free(array) {
      const bytes = array.length * 4;
      if (bytes <= maxSlabbedBytes) {
        // Not checked against the slabs: reading a view's .buffer costs ~40 ns, more than
        // the rest of an allocation, and a small array handed over is as good as a region.
        if (recycledRegions >= maxRecycledRegions) return;
        recycledRegions++;
      } else {
        // A large view into someone else's buffer would pin that buffer for its budget.
        if (array.buffer.byteLength !== bytes + slack || recycledBytes + bytes > maxRecycledBytes) return;
        recycledBytes += bytes;
      }
      const sameLength = recycledOf(array.length);
      if (sameLength !== undefined) sameLength.push(array);
      else if (array.length < shortLengths) recycledShort[array.length] = [array];
      else recycledLong.set(array.length, [array]);
    },
  };
}
