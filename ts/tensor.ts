import { runBackward } from "./autograd/backward.js";
import type { GradFn } from "./autograd/graph.js";
import type { Backend, Storage } from "./backend/backend.js";
import { add, div, mul, neg, sub } from "./ops/binary.js";
import { reshape, reverseDims, transpose } from "./ops/layout.js";
import { matmul } from "./ops/matmul.js";
import { type MaxResult, max, mean, sum } from "./ops/reduce.js";
import { logSoftmax, softmax } from "./ops/softmax.js";
import { abs, exp, log, pow, relu, sigmoid, sqrt, tanh } from "./ops/unary.js";
import { formatShape, type NestedNumberArray, nestValues, numelOf, shapesEqual } from "./shape.js";

/**
 * The element count of a shape tensors hold, kept on it: held shapes are frozen copies
 * made here, which tensors then share. It marks them too. Reading it is a property load,
 * where a WeakSet of held shapes cost ~60 ns a new tensor in a scratch micro-benchmark of
 * `Tensor.empty`, `Object.isFrozen` is a call into the runtime, and counting again would
 * read a frozen array's elements, which Node 20's optimizing compiler leaves to a generic
 * lookup each. Not enumerable, so the shape spreads, prints and compares as a plain array.
 */
const heldNumel = Symbol("descent.heldNumel");
type HeldShape = readonly number[] & { readonly [heldNumel]?: number };

/**
 * Held shapes by a hash of their dimensions, so an op that builds the same new shape on
 * every step (a Linear's output) gets the held one back: a new marked, frozen copy
 * costs ~300 ns, a lookup here ~20. Bounded, since shapes that vary forever would grow it.
 */
const internedShapes = new Map<number, (readonly number[])[]>();
const maxInternedShapes = 1 << 14;
let internedCount = 0;

function hashDims(shape: readonly number[]): number {
  let hash = shape.length;
  for (let i = 0; i < shape.length; i++) hash = (Math.imul(hash, 31) + (shape[i] as number)) | 0;
  return hash;
}

/** `shape` itself when a tensor holds it already, else a frozen copy that tensors may share. */
function frozenShape(shape: readonly number[]): readonly number[] {
  if ((shape as HeldShape)[heldNumel] !== undefined) return shape;
  const hash = hashDims(shape);
  const bucket = internedShapes.get(hash);
  if (bucket !== undefined) {
    for (const held of bucket) if (shapesEqual(held, shape)) return held;
  }
  const copy = Object.freeze(Object.defineProperty([...shape], heldNumel, { value: numelOf(shape) }));
  if (internedCount < maxInternedShapes) {
    internedCount++;
    if (bucket === undefined) internedShapes.set(hash, [copy]);
    else bucket.push(copy);
  }
  return copy;
}

/** The element count of a shape `frozenShape` returned. */
const numelOfHeld = (shape: readonly number[]): number => (shape as HeldShape)[heldNumel] as number;

/** The shape of every scalar tensor. */
export const scalarShape = frozenShape([]);

/**
 * `backward()`'s gradient of a scalar loss, 1, made once per backend rather than per
 * step: the rules only read the gradient they get, and the engine frees this one never.
 */
let unitGradient: Tensor | null = null;

function unitGradientOn(backend: Backend): Tensor {
  if (unitGradient?.backend !== backend) {
    unitGradient?.dispose();
    unitGradient = Tensor.empty(backend, scalarShape);
    backend.fill(unitGradient.storageFor("backward"), 1);
  }
  return unitGradient;
}

const graphFreed: GradFn = {
  name: "freed",
  // First in line, so a second backward through a freed graph throws before any gradient reaches a leaf.
  sequence: Number.POSITIVE_INFINITY,
  inputs: [],
  backward: () => {
    throw new Error(
      "backward: the graph of this tensor was freed by an earlier backward(); compute the loss again before calling backward() again",
    );
  },
};

/** A float32 n-dimensional array on one backend, with autograd. */
export class Tensor {
  readonly backend: Backend;
  readonly shape: readonly number[];
  #storage: Storage | null;
  #requiresGrad: boolean;
  #grad: Tensor | null = null;
  // Whether code outside descent may hold `#grad`: set once `.grad` is read or assigned.
  // Until then only autograd made and saw it, so dropping it can free its storage.
  #gradShared = false;
  #gradFn: GradFn | null = null;
  // The gradient backward has gathered for this tensor so far, while it runs.
  #pendingGrad: Tensor | null = null;
  // Set on results only the graph can reach (see `markGraphOnly`).
  #graphOnly = false;

  /** Wraps a storage the caller hands over; use `tensor()`, `zeros()`... to create tensors. */
  constructor(backend: Backend, storage: Storage, shape: readonly number[], requiresGrad = false) {
    // Ops pass shapes of other tensors through unchanged; only new ones need a frozen copy.
    const held = frozenShape(shape);
    if (storage.length !== numelOfHeld(held)) {
      throw new Error(
        `Tensor: storage has ${storage.length} elements but shape ${formatShape(shape)} needs ${numelOf(shape)}`,
      );
    }
    this.backend = backend;
    this.shape = held;
    this.#storage = storage;
    this.#requiresGrad = requiresGrad;
  }

  /** A new zero-filled tensor; ops allocate their results with it. */
  static zeros(backend: Backend, shape: readonly number[]): Tensor {
    const held = frozenShape(shape);
    return new Tensor(backend, backend.alloc(numelOfHeld(held)), held);
  }

  /** A new tensor of unspecified values (`Backend.allocUnset`), for a result its kernel writes entirely. */
  static empty(backend: Backend, shape: readonly number[]): Tensor {
    const held = frozenShape(shape);
    return new Tensor(backend, backend.allocUnset(numelOfHeld(held)), held);
  }

  numel(): number {
    return this.#storage?.length ?? numelOfHeld(this.shape);
  }

  get requiresGrad(): boolean {
    return this.#requiresGrad;
  }

  /** True for tensors the user created, false for results of recorded operations. */
  get isLeaf(): boolean {
    return this.#gradFn === null;
  }

  /** How this tensor was computed, or null for a leaf. */
  get gradFn(): GradFn | null {
    return this.#gradFn;
  }

  /** Sets whether autograd records operations on this leaf, as `requires_grad_()`. */
  requiresGrad_(flag = true): this {
    if (!this.isLeaf && !flag) {
      throw new Error("requiresGrad_: only leaf tensors can stop requiring grad; use detach() instead");
    }
    this.#requiresGrad = flag;
    return this;
  }

  get grad(): Tensor | null {
    if (this.#grad !== null) this.#gradShared = true;
    return this.#grad;
  }

  set grad(value: Tensor | null) {
    if (value !== null) this.#checkSameLayout("grad", value);
    this.#grad = value;
    this.#gradShared = value !== null;
  }

  /** @internal `.grad` for descent's own code, which keeps no reference to it past the call. */
  gradInternal(): Tensor | null {
    return this.#grad;
  }

  /**
   * @internal `.grad = null`, as `zeroGrad` does. A gradient no user code ever saw is
   * disposed, so the next backward reuses its storage instead of allocating afresh (an
   * 800 KB weight gradient costs page faults and zeroing every step otherwise).
   */
  dropGrad(): void {
    const dropped = this.#grad;
    this.#grad = null;
    if (dropped !== null && !this.#gradShared) dropped.dispose();
  }

  /** The storage, for ops; throws if the tensor was disposed. */
  storageFor(op: string): Storage {
    if (this.#storage === null) throw new Error(`${op}: tensor of shape ${formatShape(this.shape)} was disposed`);
    return this.#storage;
  }

  get isDisposed(): boolean {
    return this.#storage === null;
  }

  /** Frees the backend memory now; any later use of this tensor throws. Idempotent. */
  dispose(): void {
    if (this.#storage === null) return;
    this.backend.free(this.#storage);
    this.#storage = null;
    this.#gradFn = null;
  }

  /** Computes gradients of this tensor with respect to the leaves that require them. */
  backward(gradient?: Tensor): void {
    const op = "backward";
    if (!this.#requiresGrad) {
      throw new Error("backward: tensor does not require grad and has no grad function");
    }
    if (gradient !== undefined) {
      this.#checkSameLayout(op, gradient);
      runBackward(this, gradient.clone(), false);
      return;
    }
    if (this.numel() !== 1) {
      throw new Error(
        `backward: grad can be implicitly created only for scalar outputs, but the output has shape ${formatShape(this.shape)}`,
      );
    }
    // A leaf keeps its seed as its gradient, so it gets one of its own.
    if (this.shape === scalarShape && this.#gradFn !== null) {
      runBackward(this, unitGradientOn(this.backend), true);
      return;
    }
    const seed = Tensor.empty(this.backend, this.shape);
    this.backend.fill(seed.storageFor(op), 1);
    runBackward(this, seed, false);
  }

  /** A tensor sharing nothing with the graph: same values, no grad function. */
  detach(): Tensor {
    return this.clone();
  }

  /** A copy of this tensor's values that is not part of the graph. */
  clone(): Tensor {
    const copy = Tensor.zeros(this.backend, this.shape);
    this.backend.copy(this.storageFor("clone"), copy.storageFor("clone"));
    return copy;
  }

  item(): number {
    if (this.numel() !== 1) {
      throw new Error(
        `item: only one-element tensors can be converted to a number, got shape ${formatShape(this.shape)}`,
      );
    }
    return this.backend.item(this.storageFor("item"), 0);
  }

  toFloat32Array(): Float32Array {
    return this.backend.toFloat32Array(this.storageFor("toFloat32Array"));
  }

  toArray(): NestedNumberArray {
    return nestValues(this.toFloat32Array(), this.shape);
  }

  toString(): string {
    return `tensor(${JSON.stringify(this.toArray())}${this.#requiresGrad ? ", requiresGrad=true" : ""})`;
  }

  add(other: Tensor | number): Tensor {
    return add(this, other);
  }

  sub(other: Tensor | number): Tensor {
    return sub(this, other);
  }

  mul(other: Tensor | number): Tensor {
    return mul(this, other);
  }

  div(other: Tensor | number): Tensor {
    return div(this, other);
  }

  pow(exponent: number): Tensor {
    return pow(this, exponent);
  }

  neg(): Tensor {
    return neg(this);
  }

  exp(): Tensor {
    return exp(this);
  }

  log(): Tensor {
    return log(this);
  }

  sqrt(): Tensor {
    return sqrt(this);
  }

  abs(): Tensor {
    return abs(this);
  }

  matmul(other: Tensor): Tensor {
    return matmul(this, other);
  }

  relu(): Tensor {
    return relu(this);
  }

  sigmoid(): Tensor {
    return sigmoid(this);
  }

  tanh(): Tensor {
    return tanh(this);
  }

  softmax(dim: number): Tensor {
    return softmax(this, dim);
  }

  logSoftmax(dim: number): Tensor {
    return logSoftmax(this, dim);
  }

  sum(dim?: number | readonly number[], keepdim = false): Tensor {
    return sum(this, dim, keepdim);
  }

  mean(dim?: number | readonly number[], keepdim = false): Tensor {
    return mean(this, dim, keepdim);
  }

  /** The maximum, or with `dim` the maxima along it and their indices, as `torch.max`. */
  max(): Tensor;
  max(dim: number, keepdim?: boolean): MaxResult;
  max(dim?: number, keepdim = false): Tensor | MaxResult {
    return dim === undefined ? max(this) : max(this, dim, keepdim);
  }

  reshape(shape: readonly number[]): Tensor {
    return reshape(this, shape);
  }

  transpose(dim0: number, dim1: number): Tensor {
    return transpose(this, dim0, dim1);
  }

  /** The transpose of a matrix (all dimensions reversed, as PyTorch's `.T`). */
  get T(): Tensor {
    return reverseDims(this);
  }

  /** @internal Used by `record` to attach the backward rule. */
  setGradFn(fn: GradFn): void {
    this.#gradFn = fn;
    this.#requiresGrad = true;
  }

  /**
   * @internal After backward, the saved inputs are released as PyTorch does without
   * retain_graph: the op's saved tensors are freed, except those its rule handed on
   * among `inputGrads`, which are now gradients.
   */
  releaseGraph(inputGrads: readonly (Tensor | null)[]): void {
    const saved = this.#gradFn?.saved;
    if (this.#gradFn !== null) this.#gradFn = graphFreed;
    if (saved !== undefined) for (const t of saved) if (!inputGrads.includes(t)) t.dispose();
    if (this.#graphOnly) this.dispose();
  }

  /**
   * @internal Says no code outside the graph holds this result (an intermediate that
   * `Sequential` passed between built-in layers), so backward frees it once its own
   * node has run, as PyTorch frees saved tensors: nothing can need it after that.
   */
  markGraphOnly(): void {
    this.#graphOnly = true;
  }

  /**
   * @internal Hands `g` to this tensor's gathered gradient during backward (added in
   * place after the first); true when it is the first, so the engine queues this tensor.
   */
  addPendingGrad(g: Tensor): boolean {
    if (this.#pendingGrad === null) {
      this.#pendingGrad = g;
      return true;
    }
    this.#pendingGrad.addInPlace(g);
    g.dispose();
    return false;
  }

  /** @internal The gathered gradient, which the caller now owns; none is left pending. */
  takePendingGrad(): Tensor | null {
    const g = this.#pendingGrad;
    this.#pendingGrad = null;
    return g;
  }

  /** @internal Adds `g` to `.grad` (in place when it exists, as PyTorch accumulates). */
  accumulateGrad(g: Tensor): void {
    if (this.#grad === null || this.#grad.isDisposed) {
      this.#grad = g;
      this.#gradShared = false;
      return;
    }
    this.#grad.addInPlace(g);
    g.dispose();
  }

  /** @internal Overwrites the values in place (same storage), outside autograd: for loading and init. */
  assign(values: Float32Array): void {
    const op = "assign";
    if (values.length !== this.numel()) {
      throw new Error(
        `${op}: expected ${this.numel()} values for shape ${formatShape(this.shape)}, got ${values.length}`,
      );
    }
    const source = this.backend.fromFloat32Array(values);
    this.backend.copy(source, this.storageFor(op));
    this.backend.free(source);
  }

  /** @internal `this += other` for tensors of the same shape, outside autograd. */
  addInPlace(other: Tensor): void {
    const op = "addInPlace";
    this.#checkSameLayout(op, other);
    const mine = this.storageFor(op);
    this.backend.binary("add", mine, other.storageFor(op), mine);
  }

  #checkSameLayout(op: string, other: Tensor): void {
    if (!(other instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${String(other)}`);
    if (other.backend !== this.backend) {
      throw new Error(`${op}: tensors live on different backends (${this.backend.name} and ${other.backend.name})`);
    }
    if (!shapesEqual(other.shape, this.shape)) {
      throw new Error(`${op}: expected shape ${formatShape(this.shape)}, got ${formatShape(other.shape)}`);
    }
  }
}
