// nn modules, state dicts, initialisers, gradient clipping and loss errors on every backend.
import { expect, test, vi } from "vitest";
import { Generator, nn, noGrad, optim, randn, type Tensor, tensor, zeros } from "../ts/index.js";
import { describeEachBackend, expectClose } from "./backends.js";

function mlp(): nn.Sequential {
  return new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 2));
}

describeEachBackend("nn", () => {
  test("Sequential names parameters as PyTorch does and runs its modules in order", () => {
    const model = mlp();
    expect(model.namedParameters().map(([name, p]) => [name, p.shape])).toEqual([
      ["0.weight", [4, 3]],
      ["0.bias", [4]],
      ["2.weight", [2, 4]],
      ["2.bias", [2]],
    ]);
    const x = randn([5, 3]);
    const manual = (model.at(2) as nn.Linear).forward((model.at(0) as nn.Linear).forward(x).relu());
    expectClose(model.forward(x).toFloat32Array(), manual.toFloat32Array(), 0);
  });

  test("a Linear then a ReLU in Sequential run fused, with the values and gradients of the two modules", () => {
    const model = mlp();
    // Some pre-activations exactly 0, negative, positive and NaN.
    const x = tensor([
      [0, 0, 0],
      [1, -2, 3],
      [-1, 2, -3],
      [Number.NaN, 1, 1],
      [0.5, 0.25, -0.75],
    ]);
    const [first, second] = [model.at(0) as nn.Linear, model.at(2) as nn.Linear];
    const manual = second.forward(first.forward(x).relu());
    manual.sum().backward();
    const manualGrads = model.parameters().map((p) => p.grad?.toFloat32Array());
    model.zeroGrad();
    const fused = model.forward(x);
    expect(fused.gradFn?.inputs[0]?.gradFn?.name).toBe("linearRelu");
    expectClose(fused.toFloat32Array(), manual.toFloat32Array(), 0);
    fused.sum().backward();
    model.parameters().forEach((p, i) => {
      expectClose(p.grad?.toFloat32Array() ?? new Float32Array(), manualGrads[i] ?? new Float32Array(), 0);
    });
  });

  test("Sequential frees the results it passes between built-in layers once nothing needs them", () => {
    const model = new nn.Sequential(
      new nn.Linear(3, 4),
      new nn.ReLU(),
      new nn.Linear(4, 4),
      new nn.ReLU(),
      new nn.Linear(4, 2),
    );
    const x = randn([5, 3]);
    const free = vi.spyOn(x.backend, "free");
    try {
      // Without a graph each of the two hidden results goes once the next layer has run.
      const inference = noGrad(() => model.forward(x));
      expect(free).toHaveBeenCalledTimes(2);
      expect([x.isDisposed, inference.isDisposed]).toEqual([false, false]);
      // With one, the last hidden result stays until backward has passed it.
      const out = model.forward(x);
      const hidden = out.gradFn?.inputs[0] as Tensor;
      expect(hidden.isDisposed).toBe(false);
      out.sum().backward();
      expect(hidden.isDisposed).toBe(true);
      expect([x.isDisposed, out.isDisposed]).toEqual([false, false]);
    } finally {
      free.mockRestore();
    }
  });

  test("MSELoss hands on the gradient it saved when the loss's is 1, frees it otherwise, and at once without a graph", () => {
    const [input, target] = [randn([4, 3]), randn([4, 3])];
    const want = input
      .sub(target)
      .mul(2 / 12)
      .toFloat32Array();
    const gradOf = (t: Tensor) => t.grad?.toFloat32Array() ?? new Float32Array();
    const free = vi.spyOn(input.backend, "free");
    try {
      noGrad(() => nn.functional.mseLoss(input, target));
      expect(free).toHaveBeenCalledTimes(1);
      input.requiresGrad_();
      nn.functional.mseLoss(input, target).backward();
      // Nothing: the saved tensor became input's gradient, and backward's gradient of 1 is shared.
      expect(free).toHaveBeenCalledTimes(1);
      expectClose(gradOf(input), want, 1e-6);
      input.grad = null;
      const loss = nn.functional.mseLoss(input, target);
      loss.backward(tensor(3));
      // Backward's copy of the loss's gradient, and the saved tensor once scaled by 3.
      expect(free).toHaveBeenCalledTimes(3);
      expectClose(
        gradOf(input),
        want.map((x) => 3 * x),
        1e-6,
      );
      expect([input.isDisposed, target.isDisposed, loss.isDisposed]).toEqual([false, false, false]);
    } finally {
      free.mockRestore();
    }
  });

  test("crossEntropy frees its per-sample losses once reduced, and indices it made once backward has used them", () => {
    const logits = randn([3, 4]);
    const free = vi.spyOn(logits.backend, "free");
    try {
      noGrad(() => nn.functional.crossEntropy(logits, [0, 3, 1]));
      expect(free).toHaveBeenCalledTimes(2);
      logits.requiresGrad_();
      const loss = nn.functional.crossEntropy(logits, [0, 3, 1]);
      expect(free).toHaveBeenCalledTimes(3);
      loss.backward();
      // The indices and the per-sample gradient backward spreads (its gradient of 1 is shared).
      expect(free).toHaveBeenCalledTimes(5);
      // A target tensor is the caller's: it stays.
      const target = tensor([2, 2, 0]);
      nn.functional.crossEntropy(logits, target).backward();
      expect(target.isDisposed).toBe(false);
    } finally {
      free.mockRestore();
    }
  });

  test("a module of the user's own in Sequential keeps what it is given and what it returns", () => {
    class Keep extends nn.Module {
      seen: Tensor[] = [];
      forward(input: Tensor): Tensor {
        this.seen.push(input);
        const out = input.relu();
        this.seen.push(out);
        return out;
      }
    }
    const keep = new Keep();
    const model = new nn.Sequential(new nn.Linear(3, 4), keep, new nn.Linear(4, 2));
    model
      .forward(randn([5, 3]))
      .sum()
      .backward();
    noGrad(() => model.forward(randn([5, 3])));
    expect(keep.seen.map((t) => t.isDisposed)).toEqual([false, false, false, false]);
  });

  test("the fused Linear and ReLU without a bias give the input and weight gradients of the two modules", () => {
    const gradValues = (t: Tensor) => t.grad?.toFloat32Array() ?? new Float32Array();
    const layer = new nn.Linear(3, 4, { bias: false });
    const fusedInput = randn([5, 3]).requiresGrad_();
    const input = fusedInput.detach().requiresGrad_();
    new nn.Sequential(layer, new nn.ReLU()).forward(fusedInput).sum().backward();
    const fusedWeightGrad = gradValues(layer.weight);
    layer.zeroGrad();
    layer.forward(input).relu().sum().backward();
    expectClose(gradValues(fusedInput), gradValues(input), 0);
    expectClose(fusedWeightGrad, gradValues(layer.weight), 0);
  });

  test("Module.zeroGrad(false) keeps each gradient tensor and zeroes it", () => {
    const model = mlp();
    model
      .forward(randn([2, 3]))
      .sum()
      .backward();
    const grads = model.parameters().map((p) => p.grad);
    model.zeroGrad(false);
    model.parameters().forEach((p, i) => {
      expect(p.grad).toBe(grads[i]);
      expect(Array.from(p.grad?.toFloat32Array() ?? [1]).every((x) => x === 0)).toBe(true);
    });
    model.zeroGrad();
    expect(model.parameters().map((p) => p.grad)).toEqual([null, null, null, null]);
  });

  test("Sequential keeps the forward of a subclass of Linear or ReLU", () => {
    class Doubled extends nn.Linear {
      override forward(input: Tensor): Tensor {
        return super.forward(input).mul(2);
      }
    }
    const layer = new Doubled(3, 2);
    const x = randn([4, 3]);
    const out = new nn.Sequential(layer, new nn.ReLU()).forward(x);
    expectClose(
      out.toFloat32Array(),
      nn.functional.linear(x, layer.weight, layer.bias).mul(2).relu().toFloat32Array(),
      0,
    );
  });

  test("stateDict and loadStateDict round-trip in place, so an optimizer keeps its parameters", () => {
    const source = mlp();
    const target = mlp();
    const optimizer = new optim.SGD(target.parameters(), { lr: 0.1 });
    const weight = target.parameters()[0];
    target.loadStateDict(source.stateDict());
    expect(target.parameters()[0]).toBe(weight);
    for (const [name, p] of target.namedParameters()) {
      expectClose(p.toFloat32Array(), source.stateDict()[name]?.toFloat32Array() ?? [], 0);
    }
    target
      .forward(randn([2, 3]))
      .sum()
      .backward();
    optimizer.step();
    // The output bias: its gradient is the batch size whatever the ReLUs let through.
    expect(target.parameters()[3]?.toFloat32Array()).not.toEqual(source.parameters()[3]?.toFloat32Array());
  });

  test("loadStateDict takes Float32Arrays and nested arrays too", () => {
    const model = new nn.Linear(2, 1);
    model.loadStateDict({ weight: [[2, 3]], bias: new Float32Array([0.5]) });
    expect(model.weight.toArray()).toEqual([[2, 3]]);
    expect(model.bias?.toArray()).toEqual([0.5]);
  });

  test("loadStateDict lists missing and unexpected keys and wrong shapes, and changes nothing", () => {
    const model = mlp();
    const before = model.parameters().map((p) => p.toFloat32Array());
    const sd: Record<string, nn.StateValue> = { ...model.stateDict(), "0.weight": zeros([3, 3]), extra: zeros([1]) };
    delete sd["2.bias"];
    sd["0.bias"] = zeros([4]);
    expect(() => model.loadStateDict(sd)).toThrow(
      [
        "Error(s) in loading state_dict for Sequential:",
        '\tMissing key(s) in state_dict: "2.bias".',
        '\tUnexpected key(s) in state_dict: "extra".',
        "\tsize mismatch for 0.weight: copying a param with shape [3, 3] from checkpoint, the shape in current model is [4, 3].",
      ].join("\n"),
    );
    model.parameters().forEach((p, i) => {
      expect(p.toFloat32Array()).toEqual(before[i]);
    });
    const partial = model.loadStateDict({ "0.bias": zeros([4]), extra: zeros([1]) }, false);
    expect(partial).toEqual({ missingKeys: ["0.weight", "2.weight", "2.bias"], unexpectedKeys: ["extra"] });
    expect(model.parameters()[1]?.toArray()).toEqual([0, 0, 0, 0]);
  });

  test("train and eval reach every sub-module; Dropout only drops in training", () => {
    const model = new nn.Sequential(new nn.Linear(4, 4), new nn.Dropout({ p: 0.5 }));
    expect(model.eval().at(1).training).toBe(false);
    const x = randn([1000]);
    expect(new nn.Dropout({ p: 0.3 }).eval().forward(x)).toBe(x);
    const dropped = new nn.Dropout({ p: 0.3 }).forward(tensor(new Float32Array(10_000).fill(1))).toFloat32Array();
    const zerosShare = dropped.filter((v) => v === 0).length / dropped.length;
    expect(zerosShare).toBeGreaterThan(0.27);
    expect(zerosShare).toBeLessThan(0.33);
    expectClose(
      dropped.filter((v) => v !== 0),
      new Array(dropped.filter((v) => v !== 0).length).fill(1 / 0.7),
      1e-6,
    );
    expect(() => new nn.Dropout({ p: 1.5 })).toThrow(
      "Dropout: dropout probability has to be between 0 and 1, but got 1.5",
    );
  });

  test("Softmax, Sigmoid, Tanh and ReLU modules apply their functions", () => {
    const x = tensor([[-1, 0, 2]]);
    expectClose(new nn.Softmax({ dim: 1 }).forward(x).sum().toFloat32Array(), [1], 1e-6);
    expectClose(new nn.ReLU().forward(x).toFloat32Array(), [0, 0, 2], 0);
    expectClose(
      new nn.Sigmoid().forward(x).toFloat32Array(),
      [-1, 0, 2].map((v) => 1 / (1 + Math.exp(-v))),
      1e-6,
    );
    expectClose(new nn.Tanh().forward(x).toFloat32Array(), [-1, 0, 2].map(Math.tanh), 1e-6);
  });

  test("init functions draw with PyTorch's bounds and spreads", () => {
    const g = new Generator(3);
    const w = zeros([200, 100]);
    nn.init.xavierUniform(w, 1, { generator: g });
    const bound = Math.sqrt(6 / 300);
    const values = w.toFloat32Array();
    expect(Math.max(...values)).toBeLessThanOrEqual(bound);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(-bound);
    nn.init.kaimingNormal(w, { mode: "fan_in", nonlinearity: "relu", generator: g });
    const std = Math.sqrt(w.pow(2).mean().item());
    expect(Math.abs(std - Math.SQRT2 / 10)).toBeLessThan(0.005);
    nn.init.constant(w, 0.25);
    expect(w.mean().item()).toBe(0.25);
    expect(() => nn.init.xavierUniform(zeros([3]))).toThrow(/fewer than 2 dimensions/);
  });

  test("clipGradNorm scales gradients to the norm and returns the norm before; clipGradValue clamps", () => {
    const a = tensor([3, 4], { requiresGrad: true });
    const b = tensor([12], { requiresGrad: true });
    a.grad = tensor([3, 4]);
    b.grad = tensor([12]);
    expect(nn.utils.clipGradNorm([a, b], 6.5)).toBeCloseTo(13, 5);
    expectClose(a.grad.toFloat32Array(), [1.5, 2], 1e-5);
    expectClose(b.grad.toFloat32Array(), [6], 1e-5);
    expect(nn.utils.clipGradNorm([a, b], 100, Number.POSITIVE_INFINITY)).toBeCloseTo(6, 5);
    nn.utils.clipGradValue([a, b], 1.75);
    // 1.5 was scaled by 6.5 / (13 + 1e-6) above, so it is a float32 rounding below 1.5.
    expectClose(a.grad.toFloat32Array(), [1.5, 1.75], 2e-7);
    expectClose(b.grad.toFloat32Array(), [1.75], 0);
  });

  test("losses check their operands and options", () => {
    const logits = randn([2, 3]);
    expect(() => new nn.CrossEntropyLoss().forward(logits, [0, 3])).toThrow(
      "crossEntropy: target 3 at index 1 is out of bounds: class indices must be integers in [0, 3)",
    );
    expect(() => new nn.CrossEntropyLoss().forward(logits, [0.5, 1])).toThrow(/target 0.5 at index 0/);
    expect(() => new nn.CrossEntropyLoss().forward(logits, [0])).toThrow(
      "crossEntropy: expected 2 target class indices, got 1",
    );
    expect(() => new nn.BCELoss().forward(tensor([0.5, 1.5]), tensor([1, 0]))).toThrow(
      "binaryCrossEntropy: all elements of input should be between 0 and 1, got 1.5 at index 1",
    );
    expect(() => new nn.L1Loss({ reduce: true } as never)).toThrow(
      'L1Loss: unknown option "reduce"; expected reduction',
    );
  });
});
