// Values and gradients of every op on every backend, against formulas computed in
// plain JavaScript (float64) from the same inputs. Tolerance: atol 1e-5, rtol 1e-4.
import { expect, test } from "vitest";
import { record } from "../ts/autograd/graph.js";
import { nn, noGrad, type Tensor, tensor, zeros } from "../ts/index.js";
import { describeEachBackend, expectClose, testValues } from "./backends.js";

const values = testValues(777);
const close = (t: Tensor | null, expected: ArrayLike<number>) => {
  if (t === null) throw new Error("expected a gradient, got null");
  expectClose(t.toFloat32Array(), expected, 1e-5, 1e-4);
};

/** Row-major plain-JS matrix product, the formula the gradients are checked against. */
function matmulJs(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): number[] {
  const out = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      for (let p = 0; p < k; p++)
        out[i * n + j] = (out[i * n + j] as number) + (a[i * k + p] as number) * (b[p * n + j] as number);
  return out;
}
const transposeJs = (a: ArrayLike<number>, rows: number, cols: number): number[] =>
  Array.from({ length: rows * cols }, (_, i) => a[(i % rows) * cols + Math.floor(i / rows)] as number);

describeEachBackend("autograd", () => {
  test("matmul(a, b).sum(): da = 1·bᵀ, db = aᵀ·1", () => {
    const [m, k, n] = [5, 7, 3];
    const av = values(m * k);
    const bv = values(k * n);
    const a = tensor(av, { shape: [m, k], requiresGrad: true });
    const b = tensor(bv, { shape: [k, n], requiresGrad: true });
    const c = a.matmul(b);
    close(c, matmulJs(av, bv, m, k, n));
    c.sum().backward();
    close(a.grad, matmulJs(new Array(m * n).fill(1), transposeJs(bv, k, n), m, n, k));
    close(b.grad, matmulJs(transposeJs(av, m, k), new Array(m * n).fill(1), k, m, n));
  });

  test("broadcast add, sub and mul: gradients of the repeated operand are summed over rows", () => {
    const [rows, cols] = [4, 3];
    const xv = values(rows * cols);
    const bv = values(cols);
    const wv = values(rows * cols);
    const x = tensor(xv, { shape: [rows, cols], requiresGrad: true });
    const b = tensor(bv, { shape: [cols], requiresGrad: true });
    const w = tensor(wv, { shape: [rows, cols] });
    // f = sum(((x + b) - b·x) * w)
    const f = x.add(b).sub(b.mul(x)).mul(w).sum();
    let expected = 0;
    for (let i = 0; i < rows * cols; i++) {
      const bi = bv[i % cols] as number;
      expected += ((xv[i] as number) + bi - bi * (xv[i] as number)) * (wv[i] as number);
    }
    close(f, [expected]);
    f.backward();
    close(
      x.grad,
      Array.from(xv, (_, i) => (wv[i] as number) * (1 - (bv[i % cols] as number))),
    );
    const gb = new Array<number>(cols).fill(0);
    for (let i = 0; i < rows * cols; i++)
      gb[i % cols] = (gb[i % cols] as number) + (wv[i] as number) * (1 - (xv[i] as number));
    close(b.grad, gb);
  });

  test("scalar operands, neg, div and mean", () => {
    const xv = values(6);
    const x = tensor(xv, { shape: [2, 3], requiresGrad: true });
    const f = x.mul(3).add(1).neg().div(2).mean();
    close(f, [xv.reduce((s, v) => s - (3 * v + 1) / 2, 0) / 6]);
    f.backward();
    close(x.grad, new Array(6).fill(-3 / 2 / 6));
  });

  test("nn.functional.linear equals x·Wᵀ + b in value and gradients", () => {
    const [batch, inF, outF] = [6, 4, 3];
    const xv = values(batch * inF);
    const wv = values(outF * inF);
    const bv = values(outF);
    const gv = values(batch * outF);
    const x = tensor(xv, { shape: [batch, inF], requiresGrad: true });
    const w = tensor(wv, { shape: [outF, inF], requiresGrad: true });
    const b = tensor(bv, { shape: [outF], requiresGrad: true });
    const y = nn.functional.linear(x, w, b);
    close(
      y,
      matmulJs(xv, transposeJs(wv, outF, inF), batch, inF, outF).map((v, i) => v + (bv[i % outF] as number)),
    );
    y.backward(tensor(gv, { shape: [batch, outF] }));
    close(x.grad, matmulJs(gv, wv, batch, outF, inF));
    close(w.grad, matmulJs(transposeJs(gv, batch, outF), xv, outF, batch, inF));
    const gb = new Array<number>(outF).fill(0);
    gv.forEach((g, i) => {
      gb[i % outF] = (gb[i % outF] as number) + g;
    });
    close(b.grad, gb);
  });

  test("MSELoss: value mean((x - y)²), gradient 2(x - y)/N; reductions sum and none", () => {
    const xv = values(10);
    const yv = values(10);
    const x = tensor(xv, { shape: [10, 1], requiresGrad: true });
    const y = tensor(yv, { shape: [10, 1] });
    const loss = new nn.MSELoss().forward(x, y);
    close(loss, [xv.reduce((s, v, i) => s + (v - (yv[i] as number)) ** 2, 0) / 10]);
    loss.backward();
    close(
      x.grad,
      Array.from(xv, (v, i) => (2 * (v - (yv[i] as number))) / 10),
    );
    close(new nn.MSELoss({ reduction: "sum" }).forward(x, y), [
      xv.reduce((s, v, i) => s + (v - (yv[i] as number)) ** 2, 0),
    ]);
    expect(new nn.MSELoss({ reduction: "none" }).forward(x, y).shape).toEqual([10, 1]);
  });

  test("gradients accumulate across backward calls until zeroed", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(2).sum().backward();
    x.mul(3).sum().backward();
    close(x.grad, [5, 5, 5]);
    x.grad = null;
    x.sum().backward();
    close(x.grad, [1, 1, 1]);
  });

  test("backward()'s gradient of 1 stays 1 from loss to loss; a scalar leaf's own becomes its gradient", () => {
    const x = tensor([1, 2, 3], { requiresGrad: true });
    x.mul(2).sum().backward();
    const leaf = tensor(5, { requiresGrad: true });
    leaf.backward();
    leaf.backward();
    close(leaf.grad, [2]);
    x.sum().backward();
    x.mean().backward();
    close(x.grad, [3 + 1 / 3, 3 + 1 / 3, 3 + 1 / 3]);
  });

  test("a tensor used twice receives both gradients; noGrad and detach record nothing", () => {
    const x = tensor([1, -2, 3], { requiresGrad: true });
    x.mul(x).sum().backward();
    close(x.grad, [2, -4, 6]);
    expect(noGrad(() => x.mul(2)).requiresGrad).toBe(false);
    expect(x.detach().requiresGrad).toBe(false);
    expect(x.mul(2).requiresGrad).toBe(true);
  });

  test("backward twice through the same graph throws, as PyTorch without retainGraph", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const y = x.mul(2).sum();
    y.backward();
    expect(() => y.backward()).toThrow(/freed by an earlier backward/);
  });

  test("a backward that throws midway leaves no gradient pending for the next one", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    const tripled = x.mul(3);
    const failing = record(zeros([2]), "failing", [x], () => {
      throw new Error("this rule fails");
    });
    // The failing rule runs after tripled's, which has handed x its gradient by then.
    expect(() => failing.add(tripled).sum().backward()).toThrow("this rule fails");
    expect(x.grad).toBe(null);
    x.mul(5).sum().backward();
    close(x.grad, [5, 5]);
  });

  test("reshape keeps values and routes gradients back", () => {
    const x = tensor(
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
      { requiresGrad: true },
    );
    const r = x.reshape([3, -1]);
    expect(r.toArray()).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    r.mul(tensor([1, 2]))
      .sum()
      .backward();
    close(x.grad, [1, 2, 1, 2, 1, 2]);
  });
});
