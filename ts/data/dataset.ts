import { tensor } from "../creation.js";
import { formatShape, numelOf, sliceShape } from "../shape.js";
import { Tensor } from "../tensor.js";

/** One dataset tensor read out once: its values and the shape and size of one row. */
interface Rows {
  values: Float32Array;
  rowShape: number[];
  rowSize: number;
}

/**
 * Rows of several tensors indexed along their first dimension, as
 * `torch.utils.data.TensorDataset`. `T` is the tuple of tensors given, so rows and
 * batches destructure with one Tensor per dataset tensor: `const [x, y] = ds.get(0)`.
 */
export class TensorDataset<T extends Tensor[] = Tensor[]> {
  readonly tensors: Readonly<T>;
  readonly length: number;
  #rows: Rows[] | null = null;

  constructor(...tensors: T) {
    const op = "TensorDataset";
    if (tensors.length === 0) throw new Error(`${op}: at least one tensor is required`);
    tensors.forEach((t, i) => {
      if (!(t instanceof Tensor)) throw new Error(`${op}: argument ${i} is ${String(t)}, not a Tensor`);
      if (t.shape.length === 0)
        throw new Error(`${op}: argument ${i} is 0-dimensional; tensors need a first dimension`);
    });
    const length = tensors[0]?.shape[0] as number;
    if (tensors.some((t) => t.shape[0] !== length)) {
      throw new Error(
        `${op}: size mismatch between tensors: every first dimension must be equal, got shapes ${tensors.map((t) => formatShape(t.shape)).join(", ")}`,
      );
    }
    this.tensors = Object.freeze([...tensors] as T);
    this.length = length;
  }

  /** The `index`-th row of every tensor. */
  get(index: number): T {
    return this.#take("TensorDataset.get", [index], false);
  }

  /**
   * The rows at `indices` stacked into one new tensor per dataset tensor, shaped
   * [indices.length, ...rowShape]. The values are read from the backend on the first
   * call and kept, so a batch costs no backend reads: one copy per tensor (two for
   * scattered rows, which are gathered first). Later changes to the dataset's tensors
   * are not seen.
   */
  gather(indices: ArrayLike<number>): T {
    return this.#take("TensorDataset.gather", indices, true);
  }

  #take(op: string, indices: ArrayLike<number>, batched: boolean): T {
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i];
      if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= this.length) {
        throw new Error(`${op}: index ${String(index)} is out of range for a dataset of length ${this.length}`);
      }
    }
    this.#rows ??= this.tensors.map((t) => ({
      values: t.toFloat32Array(),
      rowShape: sliceShape(t.shape, 1),
      rowSize: numelOf(t.shape, 1),
    }));
    // Consecutive rows (an unshuffled loader) are one slice, which tensor() copies once.
    let consecutive = true;
    for (let i = 1; i < indices.length && consecutive; i++) consecutive = indices[i] === (indices[i - 1] as number) + 1;
    const first = (indices[0] ?? 0) as number;
    return this.#rows.map(({ values, rowShape, rowSize }) => {
      let batch: Float32Array;
      if (consecutive) {
        batch = values.subarray(first * rowSize, (first + indices.length) * rowSize);
      } else {
        batch = new Float32Array(indices.length * rowSize);
        for (let i = 0; i < indices.length; i++) {
          const start = (indices[i] as number) * rowSize;
          batch.set(values.subarray(start, start + rowSize), i * rowSize);
        }
      }
      return tensor(batch, { shape: batched ? [indices.length, ...rowShape] : rowShape });
    }) as T;
  }
}
