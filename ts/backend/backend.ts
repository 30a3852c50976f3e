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
export type BinaryOp = "add" | "sub" | "mul" | "div";

/**
 * Elementwise unary operations, with PyTorch's values at the edges: `log(0) = -inf`,
 * `log(-1) = NaN`, `sqrt(-1) = NaN`, `sign(0) = 0`, `relu(NaN) = NaN`.
 */
export type UnaryOp = "neg" | "exp" | "log" | "sqrt" | "abs" | "sign" | "relu" | "sigmoid" | "tanh";

/** Activations whose backward has a kernel of its own. */
export type Activation = "relu" | "sigmoid" | "tanh";

/**
 * One Adam or AdamW update with PyTorch's meaning (`torch.optim.Adam`/`AdamW`,
 * `_single_tensor_adam(w)`); `step` is the step count after incrementing (1 on the first).
 */
export interface AdamStepOptions {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  /** AdamW: decay the parameter by lr·weightDecay instead of adding weightDecay·param to the gradient. */
  decoupledWeightDecay: boolean;
  step: number;
}

/** One Adagrad update (`torch.optim.Adagrad`); `step` counts from 1. */
export interface AdagradStepOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  eps: number;
  maximize: boolean;
  step: number;
}

/** One RMSprop update (`torch.optim.RMSprop`). */
export interface RmspropStepOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

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
  /** Instruction set the kernels run on, e.g. "avx2+fma", "simd128+relaxed", "simd128", "none". */
  readonly simd: string;
  /** Why a faster build was passed over, when one was (wasm: the relaxed-SIMD module). */
  readonly simdSkipped?: string;
  /**
   * Threads the kernels may use, where the backend runs any (wasm and js: 1). A method,
   * not a getter: V8 keeps an object literal with an accessor among spreads in
   * dictionary mode, where every kernel lookup is a hash-table probe.
   */
  threads?(): number;
  /** Sets `threads` (a positive integer, checked by the caller); absent where the backend runs one thread. */
  setThreads?(n: number): void;

  /** A new zero-filled storage of `length` elements. */
  alloc(length: number): Storage;
  /**
   * A new storage of `length` elements holding zeros or a disposed storage's old values:
   * for an output the next kernel overwrites entirely. Zeroing a recycled 800 KB array
   * before a product overwrites it slowed that product by a third (256×128·128×784).
   */
  allocUnset(length: number): Storage;
  /** A new storage holding a copy of `data`. */
  fromFloat32Array(data: Float32Array): Storage;
  /** A copy of the storage's contents. */
  toFloat32Array(s: Storage): Float32Array;
  /**
   * The element at `index` (an integer below the length, checked by the caller), without
   * copying the rest: backward reads a scalar gradient this way on every step.
   */
  item(s: Storage, index: number): number;
  /** Overwrites every element with `value`. */
  fill(s: Storage, value: number): void;
  /** Copies `src` into `dst` (same length). */
  copy(src: Storage, dst: Storage): void;
  /** Releases the storage now; the backend never touches it again. */
  free(s: Storage): void;

  /**
   * `out[m×n] = op(a)·op(b)`, row-major, where op(a) is m×k and op(b) is k×n. With
   * `transA`, `a` is stored k×m; with `transB`, `b` is stored n×k. Every element of
   * `out` is written, zeros when k = 0, as by every kernel with an `out`.
   */
  matmul(a: Storage, b: Storage, out: Storage, m: number, k: number, n: number, transA: boolean, transB: boolean): void;
  /**
   * The forward of a Linear layer in one pass: `out[m×n] = x·wᵀ + bias`, then
   * `max(·, 0)` when `relu`, where `x` is m×k, `w` is n×k (read transposed in place)
   * and `bias` is n floats or null.
   */
  linearForward(
    x: Storage,
    w: Storage,
    bias: Storage | null,
    out: Storage,
    m: number,
    k: number,
    n: number,
    relu: boolean,
  ): void;
  /**
   * The backward of `linearForward` without its activation, from `gradOut` (m×n):
   * `gradX[m×k] = gradOut·w`, `gradW[n×k] = gradOutᵀ·x` and `gradBias[n]` the column
   * sums of `gradOut`. An output that is null is not computed, and `w` (`x`) may be null
   * when `gradX` (`gradW`) is: each array costs the native addon a read. The outputs
   * are three storages apart from each other and from the inputs. One call where three
   * would each pay a call's fixed cost, which in the native addon exceeds a small
   * layer's arithmetic.
   */
  linearBackward(
    gradOut: Storage,
    x: Storage | null,
    w: Storage | null,
    gradX: Storage | null,
    gradW: Storage | null,
    gradBias: Storage | null,
    m: number,
    k: number,
    n: number,
  ): void;
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

  /** `out[i] = op(a[i])`; `out` may be `a`. */
  unary(op: UnaryOp, a: Storage, out: Storage): void;
  /** `out[i] = a[i] ** exponent`, with `Math.pow`'s edge cases. */
  powScalar(a: Storage, exponent: number, out: Storage): void;
  /**
   * Gradient of an activation: `out = gradOut · f'`, where `saved` is the activation's
   * input for relu (`x > 0 ? g : 0`) and its output for sigmoid (`g·y·(1-y)`) and
   * tanh (`g·(1-y²)`).
   */
  activationBackward(op: Activation, saved: Storage, gradOut: Storage, out: Storage): void;
  /**
   * Copies a strided view into a contiguous `out` of shape `outShape`:
   * `out[i] = a[Σ_d index_d(i)·aStrides[d]]`. A stride of 0 broadcasts a dimension;
   * permuted strides transpose.
   */
  stridedCopy(a: Storage, out: Storage, outShape: readonly number[], aStrides: readonly number[]): void;
  /**
   * Reduces the middle axis of `a` seen as [outer, axisLen, inner]:
   * `out[o·inner + i] = Σ_k a[(o·axisLen + k)·inner + i]`.
   */
  sumAxis(a: Storage, out: Storage, outer: number, axisLen: number, inner: number): void;
  /**
   * Maximum over the middle axis of [outer, axisLen, inner] (axisLen ≥ 1), with the
   * index of the first maximum as a float in `indices`; NaN wins, as in PyTorch.
   */
  maxAxis(a: Storage, values: Storage, indices: Storage, outer: number, axisLen: number, inner: number): void;
  /**
   * Softmax (or log-softmax) over the middle axis of [outer, axisLen, inner],
   * max-subtracted for stability.
   */
  softmax(a: Storage, out: Storage, outer: number, axisLen: number, inner: number, log: boolean): void;
  /**
   * Gradient of softmax from its output `y`: `y·(g − Σ g·y)`; of log-softmax:
   * `g − exp(y)·Σ g`, the sums over the axis.
   */
  softmaxBackward(
    y: Storage,
    gradOut: Storage,
    out: Storage,
    outer: number,
    axisLen: number,
    inner: number,
    log: boolean,
  ): void;
  /**
   * Per-sample cross-entropy of logits [n, c] against class indices (floats, checked
   * to be integers in [0, c) by the caller): `losses[i] = logsumexp(x_i) − x_i[t_i]`.
   */
  crossEntropy(logits: Storage, targets: Storage, losses: Storage, n: number, c: number): void;
  /**
   * `diff = (a − b)·scale` (all three of one length), returning `Σ (a − b)²`: a
   * squared-error loss and its gradient for a loss gradient of 1 (scale 2/N for a
   * mean), in one pass. The difference is rounded to float32 before it is scaled.
   */
  squaredError(a: Storage, b: Storage, diff: Storage, scale: number): number;
  /** `out[i, j] = (softmax(x_i)_j − [j = t_i]) · gradLosses[i]`. */
  crossEntropyBackward(
    logits: Storage,
    targets: Storage,
    gradLosses: Storage,
    out: Storage,
    n: number,
    c: number,
  ): void;

  /** One Adam/AdamW update in place; `maxExpAvgSq` is unused (and may be empty) without amsgrad. */
  adamStep(
    param: Storage,
    grad: Storage,
    expAvg: Storage,
    expAvgSq: Storage,
    maxExpAvgSq: Storage,
    o: AdamStepOptions,
  ): void;
  /** One Adagrad update in place. */
  adagradStep(param: Storage, grad: Storage, stateSum: Storage, o: AdagradStepOptions): void;
  /**
   * One RMSprop update in place; `gradAvg` is unused without `centered`, `momentumBuf`
   * without momentum (either may then be empty).
   */
  rmspropStep(
    param: Storage,
    grad: Storage,
    squareAvg: Storage,
    gradAvg: Storage,
    momentumBuf: Storage,
    o: RmspropStepOptions,
  ): void;
}
