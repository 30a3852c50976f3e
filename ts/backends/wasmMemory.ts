import type { Storage } from "../backend/backend.js";

/** The allocator exports of crates/wasm that residency needs. */
export interface WasmAllocator {
  memory: WebAssembly.Memory;
  /** `zeroed` is 1 for zero-filled memory, 0 for whatever a freed block held. */
  alloc_f32(len: number, zeroed: number): number;
  free_f32(ptr: number, len: number): void;
}

/**
 * A tensor's storage: resident in one module's linear memory (`ptr`), or spilled to a
 * Float32Array in the JavaScript heap (`spilled`) when linear memory ran over budget.
 */
export class WasmStorage implements Storage {
  ptr = 0;
  spilled: Float32Array | null = null;
  freed = false;
  /** Clock reading of the last kernel call that used this storage. */
  lastUse = 0;
  constructor(
    readonly owner: WasmMemory,
    readonly length: number,
  ) {}
}

const initialBudgetBytes = 8 * 2 ** 20;
const maxBudgetBytes = 2 ** 31;

/**
 * Linear memory as a cache with a budget. JavaScript cannot tell when a tensor's last
 * reference is gone until the garbage collector runs a finalizer, which never happens
 * inside a long synchronous training loop; without this, the temporaries of every step
 * would stay in linear memory, which only grows. So when resident storages exceed the
 * budget, the least recently used ones are copied to the JavaScript heap (where the
 * collector frees them if they are dead) and their linear memory is released. A live
 * storage that is used again is copied back, and the budget doubles, since the working
 * set evidently did not fit.
 */
export class WasmMemory {
  #resident = new Set<WasmStorage>();
  #residentBytes = 0;
  #budgetBytes = initialBudgetBytes;
  #clock = 1;
  #view: Float32Array;

  constructor(readonly allocator: WasmAllocator) {
    this.#view = new Float32Array(allocator.memory.buffer);
  }

  /** Size of linear memory in bytes; it grows and never shrinks. */
  get bytes(): number {
    return this.allocator.memory.buffer.byteLength;
  }

  /**
   * A view of all of linear memory. Growing memory detaches the old buffer and every
   * view on it, so this is refreshed lazily and never held across a call into the module.
   * A detached view has length 0: reading its length is cheap, where comparing buffers
   * reads two getters that cost ~40 ns each.
   */
  heap(): Float32Array {
    if (this.#view.length === 0) this.#view = new Float32Array(this.allocator.memory.buffer);
    return this.#view;
  }

  /** Starts a backend call: storages used from now on are safe from eviction until the next call. */
  beginCall(): void {
    this.#clock++;
  }

  /** A new resident storage, zero-filled unless `zeroed` is false; call `beginCall` first. */
  alloc(op: string, length: number, zeroed: boolean): WasmStorage {
    const s = new WasmStorage(this, length);
    this.#place(op, s, zeroed);
    return s;
  }

  /** Makes `s` resident for the current call, copying it back if it was spilled. */
  use(s: WasmStorage): WasmStorage {
    s.lastUse = this.#clock;
    if (s.spilled !== null) {
      const values = s.spilled;
      this.#budgetBytes = Math.min(this.#budgetBytes * 2, maxBudgetBytes);
      this.#place("use", s, false);
      this.heap().set(values, s.ptr >>> 2);
      s.spilled = null;
    }
    return s;
  }

  /** The values of `s`, wherever they are, without making it resident. */
  read(s: WasmStorage): Float32Array {
    if (s.spilled !== null) return s.spilled.slice();
    return this.heap().slice(s.ptr >>> 2, (s.ptr >>> 2) + s.length);
  }

  /** The element at `index` of `s`, wherever it is. */
  item(s: WasmStorage, index: number): number {
    if (s.spilled !== null) return s.spilled[index] as number;
    return this.heap()[(s.ptr >>> 2) + index] as number;
  }

  free(s: WasmStorage): void {
    s.freed = true;
    s.spilled = null;
    if (this.#resident.delete(s)) {
      this.#residentBytes -= s.length * 4;
      this.allocator.free_f32(s.ptr, s.length);
    }
    s.ptr = 0;
  }

  #place(op: string, s: WasmStorage, zeroed: boolean): void {
    const bytes = s.length * 4;
    if (this.#residentBytes + bytes > this.#budgetBytes) this.#evict(this.#budgetBytes / 2 - bytes);
    const ptr = this.allocator.alloc_f32(s.length, zeroed ? 1 : 0) >>> 0;
    if (ptr === 0) {
      throw new Error(`wasm ${op}: out of memory allocating ${s.length} floats (linear memory is ${this.bytes} bytes)`);
    }
    s.ptr = ptr;
    s.lastUse = this.#clock;
    this.#resident.add(s);
    this.#residentBytes += bytes;
  }

  /** Spills least recently used storages until at most `targetBytes` stay resident. */
  #evict(targetBytes: number): void {
    const candidates = [...this.#resident]
      .filter((s) => s.lastUse !== this.#clock)
      .sort((a, b) => a.lastUse - b.lastUse);
    for (const s of candidates) {
      if (this.#residentBytes <= targetBytes) break;
      s.spilled = this.heap().slice(s.ptr >>> 2, (s.ptr >>> 2) + s.length);
      this.#resident.delete(s);
      this.#residentBytes -= s.length * 4;
      this.allocator.free_f32(s.ptr, s.length);
      s.ptr = 0;
    }
  }
}
