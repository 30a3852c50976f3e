// autograd.gradcheck: finite differences agree with autograd for the ops that exist,
// on every backend, and a deliberately wrong gradient is caught and located.
import { describe, expect, test } from "vitest";
import { record } from "../ts/autograd/graph.js";
import { autograd, nn, noGrad, type Tensor, tensor } from "../ts/index.js";
import { describeEachBackend, testValues } from "./backends.js";

const values = testValues(2024);
/** An input that requires grad, with values uniform in [-scale, scale). */
const input = (shape: number[], scale = 1) =>
  tensor(
    values(shape.reduce((n, d) => n * d, 1)).map((v) => v * scale),
    { shape, requiresGrad: true },
  );

describeEachBackend("gradcheck passes", () => {
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

describeEachBackend("gradcheck fails", () => {
  test("on a gradient off by a factor, naming the input, element and both values", () => {
    const fn = doubleWithBackward((g) => g.mul(3));
    expect(() => autograd.gradcheck(fn, [input([2, 3])])).toThrow(
      /gradcheck: gradient mismatch for input 0 of shape \[2, 3\] at element \[\d, \d\]: analytic -?[\d.e-]+, numeric -?[\d.e-]+ \(eps 0\.01, atol 0\.0001, rtol 0\.001; 6 of 6 elements differ\)/,
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
    expect(() => autograd.gradcheck(fn, [input([4])])).toThrow(/analytic 0, numeric 2/);
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

  test("an identity function checks out", () => {
    expect(autograd.gradcheck((a) => a, [input([2, 2])])).toBe(true);
  });
});
