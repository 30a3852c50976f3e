import { tensor } from "../creation.js";
import { formatShape, numelOf } from "../shape.js";
import { Tensor } from "../tensor.js";

/** One dataset tensor read out once: its values and the shape and size of one row. */
interface Rows {
  values: Float32Array;
  rowShape: number[];
  rowSize: number;
}

/** Rows of several tensors indexed along their first dimension, as `torch.utils.data.TensorDataset`. */
export class TensorDataset {
  readonly tensors: readonly Tensor[];
  readonly length: number;
  #rows: Rows[] | null = null;

  constructor(...tensors: Tensor[]) {
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
    this.tensors = Object.freeze([...tensors]);
    this.length = length;
  }

  /** The `index`-th row of every tensor. */
  get(index: number): Tensor[] {
    return this.#take("TensorDataset.get", [index], false);
  }

  /**
   * The rows at `indices` stacked into one new tensor per dataset tensor, shaped
   * [indices.length, ...rowShape]. The values are read from the backend on the first
   * call and kept, so each batch costs one copy per tensor and no backend reads.
   */
  gather(indices: ArrayLike<number>): Tensor[] {
    return this.#take("TensorDataset.gather", indices, true);
  }

  #take(op: string, indices: ArrayLike<number>, batched: boolean): Tensor[] {
    for (let i = 0; i < indices.length; i++) {
      const index = indices[i];
      if (!Number.isInteger(index) || (index as number) < 0 || (index as number) >= this.length) {
        throw new Error(`${op}: index ${String(index)} is out of range for a dataset of length ${this.length}`);
      }
    }
    this.#rows ??= this.tensors.map((t) => ({
      values: t.toFloat32Array(),
      rowShape: t.shape.slice(1),
      rowSize: numelOf(t.shape.slice(1)),
    }));
    return this.#rows.map(({ values, rowShape, rowSize }) => {
      const batch = new Float32Array(indices.length * rowSize);
      for (let i = 0; i < indices.length; i++) {
        const start = (indices[i] as number) * rowSize;
        batch.set(values.subarray(start, start + rowSize), i * rowSize);
      }
      return tensor(batch, { shape: batched ? [indices.length, ...rowShape] : rowShape });
    });
  }
}
