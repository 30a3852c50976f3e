// Misuse gets a clear Error naming the operation and the values, on every backend.
import { expect, test } from "vitest";
import { add, matmul, nn, optim, tensor, zeros } from "../ts/index.js";
import { describeEachBackend } from "./backends.js";

describeEachBackend("errors", () => {
  test("matmul with incompatible shapes names the op and both shapes", () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow("matmul: shapes [2, 3] and [4, 5] cannot be multiplied");
    expect(() => zeros([2, 3, 4]).matmul(zeros([5, 6]))).toThrow(
      "matmul: shapes [2, 3, 4] and [5, 6] cannot be multiplied",
    );
  });

  test("linear whose input, weight or bias do not fit names the op and the shapes, after calls that fit too", () => {
    const { linear } = nn.functional;
    const [weight, bias] = [zeros([3, 2]), zeros([3])];
    for (const input of [zeros([4, 2]), zeros([5, 4, 2])]) {
      expect(linear(input, weight, bias).shape).toEqual([...input.shape.slice(0, -1), 3]);
      expect(() => linear(zeros([4, 3]), weight, bias)).toThrow(
        "linear: input of shape [4, 3] does not match weight of shape [3, 2]",
      );
      expect(() => linear(input, zeros([3, 2, 1]), bias)).toThrow(
        `linear: input of shape [${input.shape.join(", ")}] does not match weight of shape [3, 2, 1]`,
      );
      expect(() => linear(input, weight, zeros([2]))).toThrow(
        "linear: bias of shape [2] does not match weight of shape [3, 2]",
      );
    }
  });

  test("add with incompatible shapes names the op and both shapes", () => {
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow("add: shapes [2, 3] and [4] cannot be broadcast together");
    expect(() => zeros([3]).sub(zeros([2]))).toThrow("sub: shapes [3] and [2] cannot be broadcast together");
  });

  test("a ragged or non-numeric nested array throws", () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(/tensor: ragged nested array: expected length 2 at data\[1\]/);
    expect(() => tensor([[1, 2], 3] as never)).toThrow(/ragged/);
    expect(() => tensor([1, "2"] as never)).toThrow(/expected a number at data\[1\]/);
  });

  test("a disposed tensor throws on use; dispose is idempotent", () => {
    const t = tensor([1, 2, 3]);
    t.dispose();
    t.dispose();
    expect(() => t.toArray()).toThrow("toFloat32Array: tensor of shape [3] was disposed");
    expect(() => t.add(1)).toThrow(/add: tensor of shape \[3\] was disposed/);
  });

  test("backward on a non-scalar without a gradient throws", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => x.mul(2).backward()).toThrow(
      /backward: grad can be implicitly created only for scalar outputs.*\[2\]/,
    );
    expect(() => tensor([1]).backward()).toThrow(/does not require grad/);
  });

  test("a gradient of the wrong shape is refused", () => {
    const x = tensor([1, 2], { requiresGrad: true });
    expect(() => {
      x.grad = zeros([3]);
    }).toThrow("grad: expected shape [2], got [3]");
  });

  test("MSELoss with different shapes and unknown reductions", () => {
    expect(() => new nn.MSELoss().forward(zeros([4, 1]), zeros([4]))).toThrow(
      "mseLoss: input shape [4, 1] and target shape [4] differ",
    );
    expect(() => new nn.MSELoss({ reduction: "avg" as never })).toThrow(
      /reduction must be one of none, mean, sum, got "avg"/,
    );
  });

  test("SGD rejects bad options naming the option and value", () => {
    const params = new nn.Linear(2, 1).parameters();
    expect(() => new optim.SGD(params, { lr: -0.1 })).toThrow("SGD: invalid lr: -0.1 (must be >= 0)");
    expect(() => new optim.SGD(params, { lr: Number.NaN })).toThrow(/invalid lr: NaN/);
    expect(() => new optim.SGD(params, { lr: 0.1, momentum: -1 })).toThrow(/invalid momentum: -1/);
    expect(() => new optim.SGD(params, { lr: 0.1, nesterov: true })).toThrow(
      /nesterov momentum requires a momentum > 0/,
    );
    expect(() => new optim.SGD(params, { lr: 0.1, lR: 1 } as never)).toThrow(/unknown option "lR"/);
    expect(() => new optim.SGD([], { lr: 0.1 })).toThrow(/empty parameter list/);
  });
});
