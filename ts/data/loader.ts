import { defaultGenerator, Generator } from "../random.js";
import type { Tensor } from "../tensor.js";
import { TensorDataset } from "./dataset.js";

/** The options of `torch.utils.data.DataLoader` that descent supports, in camelCase. */
export interface DataLoaderOptions {
  batchSize?: number;
  shuffle?: boolean;
  dropLast?: boolean;
  /** Draws the shuffled order; the default generator (seeded by `manualSeed`) when absent. */
  generator?: Generator;
}

const optionNames = ["batchSize", "shuffle", "dropLast", "generator"];

function checkOptions(opts: DataLoaderOptions): Required<Omit<DataLoaderOptions, "generator">> {
  const op = "DataLoader";
  const unknown = Object.keys(opts).filter((k) => !optionNames.includes(k));
  if (unknown.length > 0) {
    throw new Error(
      `${op}: unknown option ${unknown.map((k) => `"${k}"`).join(", ")}; expected ${optionNames.join(", ")}`,
    );
  }
  const { batchSize = 1, shuffle = false, dropLast = false, generator } = opts;
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new Error(`${op}: invalid batchSize: ${String(batchSize)} (must be a positive integer)`);
  }
  for (const [name, value] of [
    ["shuffle", shuffle],
    ["dropLast", dropLast],
  ] as const) {
    if (typeof value !== "boolean") throw new Error(`${op}: invalid ${name}: ${String(value)} (must be true or false)`);
  }
  if (generator !== undefined && !(generator instanceof Generator)) {
    throw new Error(`${op}: invalid generator: ${String(generator)} (must be a Generator)`);
  }
  return { batchSize, shuffle, dropLast };
}

/** A uniformly random permutation of 0..n-1 (Fisher-Yates), drawn from `generator`. */
function randomPermutation(n: number, generator: Generator): Uint32Array {
  const order = Uint32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor((generator.nextUint32() / 2 ** 32) * (i + 1));
    const swap = order[i] as number;
    order[i] = order[j] as number;
    order[j] = swap;
  }
  return order;
}

/**
 * Batches of a TensorDataset, as `torch.utils.data.DataLoader`: each batch holds one
 * tensor per dataset tensor. `batchSize` equal to the dataset's length gives full-batch
 * gradient descent, 1 stochastic, anything between mini-batch.
 */
export class DataLoader<T extends Tensor[] = Tensor[]> implements Iterable<T> {
  readonly dataset: TensorDataset<T>;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly dropLast: boolean;
  readonly generator: Generator | undefined;

  constructor(dataset: TensorDataset<T>, opts: DataLoaderOptions = {}) {
    if (!(dataset instanceof TensorDataset)) {
      throw new Error(`DataLoader: dataset must be a TensorDataset, got ${String(dataset)}`);
    }
    if (typeof opts !== "object" || opts === null) {
      throw new Error(`DataLoader: options must be an object, got ${String(opts)}`);
    }
    ({ batchSize: this.batchSize, shuffle: this.shuffle, dropLast: this.dropLast } = checkOptions(opts));
    this.dataset = dataset;
    this.generator = opts.generator;
  }

  /** The number of batches per epoch. */
  get length(): number {
    const round = this.dropLast ? Math.floor : Math.ceil;
    return round(this.dataset.length / this.batchSize);
  }

  /** One epoch; with `shuffle`, a new order is drawn each time iteration starts, as PyTorch's RandomSampler. */
  *[Symbol.iterator](): Iterator<T> {
    const n = this.dataset.length;
    const order = this.shuffle
      ? randomPermutation(n, this.generator ?? defaultGenerator)
      : Uint32Array.from({ length: n }, (_, i) => i);
    const batches = this.length;
    for (let b = 0; b < batches; b++) {
      yield this.dataset.gather(order.subarray(b * this.batchSize, Math.min(n, (b + 1) * this.batchSize)));
    }
  }
}
