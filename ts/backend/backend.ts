/** The names of descent's backends, fastest first. */
export type BackendName = "native" | "wasm" | "js";

/**
 * A backend's handle on a tensor's float32 storage. For `js` and `native` it is a
 * Float32Array; for `wasm` an allocation in the module's linear memory. Only the
 * backend that made a Storage may read it.
 */
export interface Storage {
  /** Number of float32 elements. */
  readonly length: number;
}

/** Elementwise binary operations sharing one broadcasting kernel. */
export type BinaryOp = "add" | "sub" | "mul";

/** One SGD update with PyTorch's meaning (`torch.optim.SGD`). */
export interface SgdStepOptions {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  /** First step of a parameter with momentum: the buffer is set to the gradient. */
  firstStep: boolean;
}

/**
 * What every backend provides. Kernels write into `out` storages allocated by the
 * caller; they never allocate results themselves, so memory ownership stays with
 * Tensor. Arguments are already checked by the tensor layer; backends check again
 * only where a wrong length could corrupt memory.
 */
export interface Backend {
  readonly name: BackendName;
  /** Instruction set the kernels run on, e.g. "avx2+fma", "simd128", "none". */
  readonly simd: string;
  /** Threads the kernels may use, where the backend runs any. */
  readonly threads?: number;

  /** A new zero-filled storage of `length` elements. */
  alloc(length: number): Storage;
  /** A new storage holding a copy of `data`. */
  fromFloat32Array(data: Float32Array): Storage;
  /** A copy of the storage's contents. */
  toFloat32Array(s: Storage): Float32Array;
  /** Overwrites every element with `value`. */
  fill(s: Storage, value: number): void;
  /** Copies `src` into `dst` (same length). */
  copy(src: Storage, dst: Storage): void;
  /** Releases the storage now; the backend never touches it again. */
  free(s: Storage): void;

  /**
   * `out[m×n] = op(a)·op(b)`, row-major, where op(a) is m×k and op(b) is k×n. With
   * `transA`, `a` is stored k×m; with `transB`, `b` is stored n×k.
   */
  matmul(a: Storage, b: Storage, out: Storage, m: number, k: number, n: number, transA: boolean, transB: boolean): void;
  /**
   * `out[i] = a[i % a.length] op b[i % b.length]`: equal lengths, or the shorter one
   * repeated as a row or scalar; the shorter length divides `out.length`.
   */
  binary(op: BinaryOp, a: Storage, b: Storage, out: Storage): void;
  /** `out[i] = a[i] * s`. */
  scale(a: Storage, s: number, out: Storage): void;
  /** Sum of all elements. */
  sum(a: Storage): number;
  /** Mean of all elements (NaN when empty). */
  mean(a: Storage): number;
  /** Column sums of a rows×cols matrix into `out[cols]`. */
  sumRows(a: Storage, out: Storage, rows: number, cols: number): void;
  /** One SGD update of `param` in place; `momentumBuf` is unused when momentum is 0. */
  sgdStep(param: Storage, grad: Storage, momentumBuf: Storage, o: SgdStepOptions): void;
}
