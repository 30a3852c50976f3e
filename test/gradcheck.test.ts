// autograd.gradcheck (float64 finite differences on the reference backend) agrees with
// autograd for every op, and a deliberately wrong gradient is caught and located.
import { describe, expect, test } from "vitest";
import { record } from "../ts/autograd/graph.js";
import { autograd, nn, noGrad, type Tensor, tensor } from "../ts/index.js";
import { testValues } from "./backends.js";

const values = testValues(2024);
/** An input that requires grad, with values uniform in [-scale, scale). */
const input = (shape: number[], scale = 1) =>
  tensor(
    values(shape.reduce((n, d) => n * d, 1)).map((v) => v * scale),
    { shape, requiresGrad: true },
  );

/** An input in [lo, hi), away from the kinks and poles of the ops it feeds. */
const within = (shape: number[], lo: number, hi: number) =>
  tensor(
    values(shape.reduce((n, d) => n * d, 1)).map((v) => lo + ((v + 1) / 2) * (hi - lo)),
    { shape, requiresGrad: true },
  );
/** Values bounded away from 0 with random signs, for abs and relu. */
const offZero = (shape: number[]) =>
  tensor(
    values(shape.reduce((n, d) => n * d, 1)).map((v) => (v < 0 ? v - 0.1 : v + 0.1)),
    { shape, requiresGrad: true },
  );

describe("gradcheck passes on every op", () => {
  const cases: [string, (...x: Tensor[]) => Tensor, () => Tensor[]][] = [
    ["add with a broadcast row", (a, b) => a.add(b), () => [input([4, 5]), input([5])]],
    ["add a number", (a) => a.add(2.5), () => [input([3])]],
    ["sub", (a, b) => a.sub(b), () => [input([3, 4]), input([3, 4])]],
    ["sub with a broadcast scalar tensor", (a, b) => a.sub(b), () => [input([2, 3]), input([])]],
    ["mul", (a, b) => a.mul(b), () => [input([4, 5], 2), input([4, 5], 2)]],
    ["mul with a broadcast row", (a, b) => a.mul(b), () => [input([4, 5], 2), input([1, 5], 2)]],
    ["mul by a number", (a) => a.mul(-3), () => [input([6])]],
    ["matmul", (a, b) => a.matmul(b), () => [input([6, 7], 2), input([7, 5], 2)]],
    ["sum", (a) => a.sum(), () => [input([5, 6], 3)]],
    ["mean", (a) => a.mean(), () => [input([5, 6], 3)]],
    ["reshape", (a) => a.reshape([3, 4]).mul(a.reshape([3, 4])), () => [input([2, 6])]],
    ["a composition", (a, b) => a.matmul(b).mul(a.matmul(b)).mean(), () => [input([3, 4]), input([4, 2])]],
    [
      "nn.functional.linear",
      (x, w, b) => nn.functional.linear(x, w, b),
      () => [input([8, 6], 2), input([4, 6]), input([4])],
    ],
    ["nn.functional.linear without bias", (x, w) => nn.functional.linear(x, w), () => [input([5, 3]), input([2, 3])]],
    ["mseLoss", (x, y) => nn.functional.mseLoss(x, y), () => [input([10, 3], 2), input([10, 3], 2)]],
    ["mseLoss with sum", (x, y) => nn.functional.mseLoss(x, y, "sum"), () => [input([4]), input([4])]],
    ["mseLoss with none", (x, y) => nn.functional.mseLoss(x, y, "none"), () => [input([2, 3]), input([2, 3])]],
    ["add [3, 1] + [1, 4]", (a, b) => a.add(b), () => [input([3, 1]), input([1, 4])]],
    ["div", (a, b) => a.div(b), () => [input([3, 4]), within([3, 4], 0.5, 2)]],
    ["div with a broadcast column", (a, b) => a.div(b), () => [input([3, 4]), within([3, 1], 0.5, 2)]],
    ["div by a number", (a) => a.div(4), () => [input([5])]],
    ["pow 3", (a) => a.pow(3), () => [input([2, 3], 2)]],
    ["pow 1.7", (a) => a.pow(1.7), () => [within([6], 0.2, 3)]],
    ["pow -1", (a) => a.pow(-1), () => [within([6], 0.5, 3)]],
    ["neg", (a) => a.neg(), () => [input([4])]],
    ["exp", (a) => a.exp(), () => [input([2, 3], 2)]],
    ["log", (a) => a.log(), () => [within([2, 3], 0.2, 4)]],
    ["sqrt", (a) => a.sqrt(), () => [within([2, 3], 0.2, 4)]],
    ["abs", (a) => a.abs(), () => [offZero([2, 5])]],
    ["relu", (a) => a.relu(), () => [offZero([2, 5])]],
    ["sigmoid", (a) => a.sigmoid(), () => [input([2, 5], 4)]],
    ["tanh", (a) => a.tanh(), () => [input([2, 5], 3)]],
    ["softmax over dim 1", (a) => a.softmax(1), () => [input([3, 4], 2)]],
    ["softmax over dim 0 of 3-D", (a) => a.softmax(0), () => [input([3, 2, 2], 2)]],
    ["logSoftmax over dim -1", (a) => a.logSoftmax(-1), () => [input([3, 4], 2)]],
    ["sum over dims with keepdim", (a) => a.sum([0, 2], true), () => [input([2, 3, 4])]],
    ["mean over a dim", (a) => a.mean(1), () => [input([2, 3, 4])]],
    ["max", (a) => a.max(), () => [input([3, 4])]],
    ["max along a dim", (a) => a.max(1).values, () => [input([3, 4])]],
    ["transpose", (a) => a.transpose(0, 2), () => [input([2, 3, 4])]],
    ["T", (a) => a.T, () => [input([3, 5])]],
    ["matmul of vectors", (a, b) => a.matmul(b), () => [input([5]), input([5])]],
    ["matmul of a batch by a matrix", (a, b) => a.matmul(b), () => [input([2, 3, 4]), input([4, 2])]],
    ["matmul of batches", (a, b) => a.matmul(b), () => [input([2, 3, 4]), input([1, 4, 2])]],
    [
      "l1Loss",
      (x, y) => nn.functional.l1Loss(x, y),
      () => [offZero([3, 4]), tensor(new Float32Array(12), { shape: [3, 4] })],
    ],
    ["crossEntropy", (x) => nn.functional.crossEntropy(x, [2, 0, 1]), () => [input([3, 4], 2)]],
    ["crossEntropy with sum", (x) => nn.functional.crossEntropy(x, [1, 1], "sum"), () => [input([2, 3], 2)]],
    [
      "binaryCrossEntropy",
      (x, y) => nn.functional.binaryCrossEntropy(x, y),
      () => [within([5], 0.1, 0.9), within([5], 0, 1).requiresGrad_(false)],
    ],
    [
      "binaryCrossEntropyWithLogits",
      (x, y) => nn.functional.binaryCrossEntropyWithLogits(x, y, "sum"),
      () => [input([5], 3), within([5], 0, 1).requiresGrad_(false)],
    ],
  ];
  test.each(cases)("%s", (_, fn, inputs) => {
    expect(autograd.gradcheck(fn, inputs())).toBe(true);
  });

  test("inputs that do not require grad are held fixed and not checked", () => {
    const x = input([3, 2]);
    const constant = tensor(values(2), { shape: [2] });
    expect(autograd.gradcheck((a, c) => a.mul(c).sum(), [x, constant])).toBe(true);
  });
});

/** `2·x` whose backward returns `grad(g)` instead of `2·g`: a deliberately wrong rule. */
function doubleWithBackward(grad: (g: Tensor) => Tensor): (x: Tensor) => Tensor {
  return (x) => {
    const out = noGrad(() => x.mul(2));
    return record(out, "double", [x], (g) => [grad(g)]);
  };
}

describe("gradcheck fails", () => {
  test("on a gradient off by a factor, naming the input, element and both values", () => {
    const fn = doubleWithBackward((g) => g.mul(3));
    expect(() => autograd.gradcheck(fn, [input([2, 3])])).toThrow(
      /gradcheck: gradient mismatch for input 0 of shape \[2, 3\] at element \[\d, \d\]: analytic -?[\d.e-]+, numeric -?[\d.e-]+ \(eps 0\.000001, atol 0\.00001, rtol 0\.001; 6 of 6 elements differ\)/,
    );
  });

  test("on one wrong element, locating it", () => {
    const fn = doubleWithBackward((g) => {
      const wrong = g.toFloat32Array().map((v) => 2 * v);
      wrong[5] = (wrong[5] as number) * 1.01;
      return tensor(wrong, { shape: [...g.shape] });
    });
    expect(() => autograd.gradcheck(fn, [input([2, 3])])).toThrow(
      /input 0 .* at element \[1, 2\].*1 of 6 elements differ/,
    );
  });

  test("on a wrong gradient of a later input only, naming that input", () => {
    const double = doubleWithBackward((g) => g.mul(-2));
    expect(() => autograd.gradcheck((a, b) => a.mul(double(b)), [input([3]), input([3])])).toThrow(
      /mismatch for input 1 of shape \[3\]/,
    );
  });

  test("on a missing gradient", () => {
    const fn = (x: Tensor) =>
      record(
        noGrad(() => x.mul(2)),
        "noGrad",
        [x],
        () => [null],
      );
    expect(() => autograd.gradcheck(fn, [input([4])])).toThrow(
      /input 0 of shape \[4\] at element \[\d\]: analytic 0, numeric -?\d\.\d+ .*4 of 4 elements differ/,
    );
  });
});

describe("gradcheck misuse", () => {
  test("throws naming the fault", () => {
    const x = input([2]);
    expect(() => autograd.gradcheck((a) => a.sum(), [tensor([1, 2])])).toThrow(/no input requires grad/);
    expect(() => autograd.gradcheck((() => 3) as never, [x])).toThrow(/fn must return a Tensor, got 3/);
    expect(() => autograd.gradcheck((a) => a, [x], { eps: 0 })).toThrow(/invalid eps: 0/);
    expect(() => autograd.gradcheck((a) => a, [x], { atol: Number.NaN })).toThrow(/invalid atol: NaN/);
    expect(() => autograd.gradcheck((a) => a, [x], { rtol: -1 })).toThrow(/invalid rtol: -1/);
    expect(() => autograd.gradcheck((a) => a, [x], { epsilon: 1 } as never)).toThrow(/unknown option "epsilon"/);
    expect(() => autograd.gradcheck((a) => a, [[1, 2]] as never)).toThrow(/inputs must be an array of Tensors/);
  });

  test("the tolerances are honoured: a 1% error passes with rtol 0.02", () => {
    const fn = doubleWithBackward((g) => g.mul(2.02));
    expect(() => autograd.gradcheck(fn, [input([3])])).toThrow(/mismatch/);
    expect(autograd.gradcheck(fn, [input([3])], { rtol: 0.02 })).toBe(true);
  });

  test("an identity function checks out, and the inputs' grads are left alone", () => {
    const x = input([2, 2]);
    expect(autograd.gradcheck((a) => a, [x])).toBe(true);
    expect(x.grad).toBeNull();
  });
});
