// Shapes, broadcasting and gradient routing of the tensor ops on every backend, on
// small inputs whose answers are worked out by hand. Values from PyTorch itself are
// checked in test/pytorch*.test.ts. Tolerance: atol 1e-6, rtol 1e-5 (one or two
// float32 roundings).
import { expect, test } from "vitest";
import { matmul, nn, randn, type Tensor, tensor, zeros } from "../ts/index.js";
import { describeEachBackend, expectClose } from "./backends.js";

const close = (t: Tensor | null, expected: number[]) => {
  if (t === null) throw new Error("expected a gradient, got null");
  expectClose(t.toFloat32Array(), expected, 1e-6, 1e-5);
};

describeEachBackend("ops", () => {
  test("[3, 1] + [1, 4] broadcasts both ways and sums each gradient back", () => {
    const a = tensor([[1], [2], [3]], { requiresGrad: true });
    const b = tensor([[10, 20, 30, 40]], { requiresGrad: true });
    const c = a.add(b);
    expect(c.shape).toEqual([3, 4]);
    close(c, [11, 21, 31, 41, 12, 22, 32, 42, 13, 23, 33, 43]);
    c.mul(c).sum().backward();
    // d/da_i = Σ_j 2(a_i + b_j), d/db_j = Σ_i 2(a_i + b_j)
    close(a.grad, [2 * (4 * 1 + 100), 2 * (4 * 2 + 100), 2 * (4 * 3 + 100)]);
    close(
      b.grad,
      [10, 20, 30, 40].map((v) => 2 * (6 + 3 * v)),
    );
  });

  test("[4] − [2, 3, 4] and division by a tensor route gradients to both operands", () => {
    const a = tensor([1, 2, 3, 4], { requiresGrad: true });
    const b = tensor(
      Float32Array.from({ length: 24 }, (_, i) => i + 1),
      { shape: [2, 3, 4], requiresGrad: true },
    );
    a.sub(b).sum().backward();
    close(a.grad, [6, 6, 6, 6]);
    close(b.grad, new Array(24).fill(-1));
    const x = tensor([2, 3], { requiresGrad: true });
    const y = tensor([4, 6], { requiresGrad: true });
    const q = x.div(y);
    close(q, [0.5, 0.5]);
    q.sum().backward();
    close(x.grad, [1 / 4, 1 / 6]);
    close(y.grad, [-2 / 16, -3 / 36]);
  });

  test("sum and mean over dims, with and without keepdim", () => {
    const a = tensor(
      [
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
      ],
      { requiresGrad: true },
    );
    expect(a.sum(1).shape).toEqual([1, 2]);
    close(a.sum(1), [9, 12]);
    expect(a.sum([0, 2], true).shape).toEqual([1, 3, 1]);
    close(a.sum([0, 2], true), [3, 7, 11]);
    close(a.mean(-1), [1.5, 3.5, 5.5]);
    a.mean([1, 2]).backward();
    close(a.grad, new Array(6).fill(1 / 6));
    expect(() => a.sum(3)).toThrow("sum: dimension out of range (expected to be in range of [-3, 2], but got 3)");
  });

  test("max: the value, ties sharing the gradient; along a dim, values and indices", () => {
    const a = tensor(
      [
        [1, 5, 5],
        [7, 2, 3],
      ],
      { requiresGrad: true },
    );
    close(a.max(), [7]);
    const tie = tensor([5, 1, 5], { requiresGrad: true });
    tie.max().backward();
    close(tie.grad, [0.5, 0, 0.5]);
    const { values, indices } = a.max(1);
    close(values, [5, 7]);
    close(indices, [1, 0]);
    values.sum().backward();
    close(a.grad, [0, 1, 0, 1, 0, 0]);
    const [v0, i0] = a.max(0, true);
    expect(v0.shape).toEqual([1, 3]);
    close(i0, [1, 0, 0]);
  });

  test("matmul of vectors, matrices and batches, as torch.matmul", () => {
    close(tensor([1, 2, 3]).matmul(tensor([4, 5, 6])), [32]);
    expect(tensor([1, 2]).matmul(zeros([2, 5])).shape).toEqual([5]);
    expect(zeros([5, 2]).matmul(tensor([1, 2])).shape).toEqual([5]);
    expect(matmul(zeros([7, 3, 2]), zeros([2, 4])).shape).toEqual([7, 3, 4]);
    const a = randn([2, 3, 4], { requiresGrad: true });
    const b = randn([1, 4, 5], { requiresGrad: true });
    const c = a.matmul(b);
    expect(c.shape).toEqual([2, 3, 5]);
    // Each batch against the one matrix equals the 2-D product of that batch.
    const first = tensor(a.toFloat32Array().slice(0, 12), { shape: [3, 4] }).matmul(
      tensor(b.toFloat32Array(), { shape: [4, 5] }),
    );
    expectClose(c.toFloat32Array().slice(0, 15), first.toFloat32Array(), 1e-5, 1e-5);
    c.sum().backward();
    expect(a.grad?.shape).toEqual([2, 3, 4]);
    expect(b.grad?.shape).toEqual([1, 4, 5]);
    expect(() => zeros([2, 3]).matmul(zeros([2, 3]))).toThrow("matmul: shapes [2, 3] and [2, 3] cannot be multiplied");
  });

  test("results of products and elementwise ops overwrite a recycled storage's old values", () => {
    // 200×100 floats, above the slab limit: the js and native backends hand the disposed
    // NaNs out again for the next result of that length, and wasm's allocator reuses the block.
    const [m, n] = [200, 100];
    const poison = () => tensor(new Float32Array(m * n).fill(Number.NaN), { shape: [m, n] }).dispose();
    poison();
    expect(
      zeros([m, 0])
        .matmul(zeros([0, n]))
        .toFloat32Array()
        .every((x) => x === 0),
    ).toBe(true);
    poison();
    const bias = tensor(Array.from({ length: n }, (_, j) => j - 50));
    const noInputs = nn.functional.linear(zeros([m, 0]), zeros([n, 0]), bias).toFloat32Array();
    expect(noInputs.every((x, i) => x === (i % n) - 50)).toBe(true);
    poison();
    expect(
      zeros([m, n])
        .add(1)
        .toFloat32Array()
        .every((x) => x === 1),
    ).toBe(true);
  });

  test("a tensor's shape is a frozen copy, shared by results of the same shape", () => {
    const dims = [2, 3];
    const a = zeros(dims);
    dims[0] = 5;
    expect(a.shape).toEqual([2, 3]);
    expect(Object.isFrozen(a.shape)).toBe(true);
    expect(() => (a.shape as number[]).push(1)).toThrow(TypeError);
    // Two products build the shape [2, 4] afresh; the second gets the first one's back.
    const first = a.matmul(zeros([3, 4]));
    const second = zeros([2, 5]).matmul(zeros([5, 4]));
    expect(second.shape).toBe(first.shape);
    expect(Object.isFrozen(second.shape)).toBe(true);
  });

  test("transpose, T and reshape move values and gradients", () => {
    const a = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    expect(a.T.toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    const t = tensor(
      Float32Array.from({ length: 24 }, (_, i) => i),
      { shape: [2, 3, 4] },
    ).transpose(0, 2);
    expect(t.shape).toEqual([4, 3, 2]);
    expect((t.toArray() as number[][][])[1]?.[2]).toEqual([9, 21]);
    a.transpose(0, 1)
      .mul(
        tensor([
          [1, 10],
          [2, 20],
          [3, 30],
        ]),
      )
      .sum()
      .backward();
    close(a.grad, [1, 2, 3, 10, 20, 30]);
    expect(() => a.reshape([4, -1])).toThrow("reshape: shape [4, -1] is invalid for input of size 6");
  });

  test("unary ops and their gradients", () => {
    const x = tensor([0.5, 1, 2], { requiresGrad: true });
    const y = x.exp().add(x.log()).add(x.sqrt()).add(x.pow(3)).add(x.neg().abs());
    close(
      y,
      [0.5, 1, 2].map((v) => Math.exp(v) + Math.log(v) + Math.sqrt(v) + v ** 3 + v),
    );
    y.sum().backward();
    close(
      x.grad,
      [0.5, 1, 2].map((v) => Math.exp(v) + 1 / v + 0.5 / Math.sqrt(v) + 3 * v * v + 1),
    );
    const z = tensor([-1, 0.5, 2], { requiresGrad: true });
    z.relu().add(z.sigmoid()).add(z.tanh()).sum().backward();
    const s = (v: number) => 1 / (1 + Math.exp(-v));
    close(
      z.grad,
      [-1, 0.5, 2].map((v) => (v > 0 ? 1 : 0) + s(v) * (1 - s(v)) + 1 - Math.tanh(v) ** 2),
    );
  });

  test("softmax and logSoftmax along any dim", () => {
    const a = tensor(
      [
        [1, 2, 3],
        [1, 1, 1],
      ],
      { requiresGrad: true },
    );
    const e = [1, 2, 3].map(Math.exp);
    const total = e.reduce((x, y) => x + y);
    close(a.softmax(-1), [...e.map((v) => v / total), 1 / 3, 1 / 3, 1 / 3]);
    close(a.logSoftmax(1), [...e.map((v) => Math.log(v / total)), ...new Array(3).fill(-Math.log(3))]);
    const col = a.softmax(0);
    close(col.sum(0), [1, 1, 1]);
    a.logSoftmax(1)
      .mul(
        tensor([
          [1, 0, 0],
          [0, 0, 0],
        ]),
      )
      .sum()
      .backward();
    const p = e.map((v) => v / total);
    close(a.grad, [1 - (p[0] as number), -(p[1] as number), -(p[2] as number), 0, 0, 0]);
  });
});
