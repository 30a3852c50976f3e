// TensorDataset and DataLoader: batch sizes from stochastic to full batch, dropLast,
// shuffling reproducible from a seeded Generator, and the errors of misuse.
import { describe, expect, test } from "vitest";
import { data, Generator, manualSeed, type Tensor, tensor } from "../ts/index.js";

const n = 10;
// Row i of x is [i, 10 + i], row i of y is [100 + i]: each row says where it came from.
const x = tensor(
  Array.from({ length: n }, (_, i) => [i, 10 + i]),
  { shape: [n, 2] },
);
const y = tensor(Array.from({ length: n }, (_, i) => 100 + i));
const dataset = new data.TensorDataset(x, y);

/** The dataset rows of each batch, read from its x tensor, after checking y agrees. */
function rowsOf(loader: Iterable<[Tensor, Tensor]>): number[][] {
  return [...loader].map(([bx, by]) => {
    const xs = bx.toArray() as number[][];
    expect(by.toArray()).toEqual(xs.map(([i]) => 100 + (i as number)));
    expect(xs.map(([i, j]) => (j as number) - (i as number))).toEqual(xs.map(() => 10));
    return xs.map(([i]) => i as number);
  });
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("TensorDataset", () => {
  test("length and get(i) give the i-th row of every tensor", () => {
    expect(dataset.length).toBe(n);
    const [xi, yi] = dataset.get(3);
    // The tuple type makes each destructured row a Tensor, not Tensor | undefined.
    expect(xi.shape).toEqual([2]);
    expect(xi.toArray()).toEqual([3, 13]);
    expect(yi.shape).toEqual([]);
    expect(yi.item()).toBe(103);
  });

  test("get and gather are bounds-checked", () => {
    expect(() => dataset.gather([0, 10])).toThrow(/gather: index 10 is out of range/);
    for (const bad of [-1, n, 1.5, Number.NaN])
      expect(() => dataset.get(bad)).toThrow(/index .* out of range .* length 10/);
  });

  test("tensors with different first dimensions are rejected, naming the shapes", () => {
    expect(() => new data.TensorDataset(x, tensor([1, 2, 3]))).toThrow(/size mismatch.*\[10, 2\], \[3\]/);
    expect(() => new data.TensorDataset()).toThrow(/at least one tensor/);
    expect(() => new data.TensorDataset(tensor(1))).toThrow(/0-dimensional/);
  });
});

describe("DataLoader", () => {
  test("batchSize 1 is stochastic gradient descent: one row per batch, in order", () => {
    const loader = new data.DataLoader(dataset);
    expect(loader.length).toBe(n);
    expect(rowsOf(loader)).toEqual(range(0, n).map((i) => [i]));
  });

  test("batchSize = length is full-batch gradient descent", () => {
    const loader = new data.DataLoader(dataset, { batchSize: n });
    expect(loader.length).toBe(1);
    const [bx, by] = [...loader][0] as [Tensor, Tensor];
    expect(bx.shape).toEqual([n, 2]);
    expect(by.shape).toEqual([n]);
    expect(rowsOf(loader)).toEqual([range(0, n)]);
  });

  test("a batch size between keeps the short last batch, or drops it with dropLast", () => {
    const kept = new data.DataLoader(dataset, { batchSize: 4 });
    expect(kept.length).toBe(3);
    expect(rowsOf(kept)).toEqual([range(0, 4), range(4, 8), range(8, 10)]);
    const dropped = new data.DataLoader(dataset, { batchSize: 4, dropLast: true });
    expect(dropped.length).toBe(2);
    expect(rowsOf(dropped)).toEqual([range(0, 4), range(4, 8)]);
    expect(rowsOf(new data.DataLoader(dataset, { batchSize: 5, dropLast: true }))).toEqual([range(0, 5), range(5, 10)]);
    expect(new data.DataLoader(dataset, { batchSize: 11, dropLast: true }).length).toBe(0);
  });

  test("shuffle visits every row once per epoch, in an order the generator's seed reproduces", () => {
    const epochs = (seed: number) => {
      const loader = new data.DataLoader(dataset, { batchSize: 3, shuffle: true, generator: new Generator(seed) });
      return [rowsOf(loader), rowsOf(loader)];
    };
    const [first, second] = epochs(7);
    for (const epoch of [first, second]) {
      expect(epoch?.map((b) => b.length)).toEqual([3, 3, 3, 1]);
      expect(epoch?.flat().sort((a, b) => a - b)).toEqual(range(0, n));
    }
    expect(first).not.toEqual(second); // a new permutation each epoch
    expect(first?.flat()).not.toEqual(range(0, n));
    expect(epochs(7)).toEqual([first, second]);
    expect(epochs(8)).not.toEqual([first, second]);
  });

  test("without a generator, shuffling draws from the default one, seeded by manualSeed", () => {
    const loader = new data.DataLoader(dataset, { batchSize: 4, shuffle: true });
    manualSeed(3);
    const a = rowsOf(loader);
    manualSeed(3);
    expect(rowsOf(loader)).toEqual(a);
  });

  test("invalid options throw naming the option and value", () => {
    const make = (opts: object) => () => new data.DataLoader(dataset, opts);
    expect(make({ batchSize: 0 })).toThrow(/invalid batchSize: 0/);
    expect(make({ batchSize: 2.5 })).toThrow(/invalid batchSize: 2.5/);
    expect(make({ batchSize: "4" })).toThrow(/invalid batchSize: 4/);
    expect(make({ shuffle: 1 })).toThrow(/invalid shuffle: 1/);
    expect(make({ dropLast: "yes" })).toThrow(/invalid dropLast: yes/);
    expect(make({ generator: 42 })).toThrow(/invalid generator: 42/);
    expect(make({ batch_size: 4, numWorkers: 2 })).toThrow(/unknown option "batch_size", "numWorkers"/);
    expect(() => new data.DataLoader([x, y] as never)).toThrow(/dataset must be a TensorDataset/);
  });
});
