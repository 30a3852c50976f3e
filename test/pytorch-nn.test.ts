// nn against PyTorch (fixtures written by scripts/make-fixtures.py): every loss with every
// reduction (value and input gradient), nn.utils.clipGradNorm/clipGradValue, and small
// Sequential models (Linear-ReLU-Linear with CrossEntropyLoss; Tanh, Sigmoid, Softmax and
// Dropout in eval mode with BCELoss/MSELoss) loaded through the state dict: output, loss,
// the gradient of every parameter under its state-dict name, then five SGD steps; on
// every backend.
import { expect, test } from "vitest";
import { describeEachBackend } from "./backends.js";
import {
  api,
  expectTensor,
  expectValues,
  loadFixture,
  type Module,
  type Target,
  type Tensor,
  type TensorData,
  tensorOf,
} from "./fixtures.js";

// Float32 throughout; losses sum a few dozen terms and use exp/log, whose float32
// implementations differ between PyTorch and descent by a few ulps. 1e-5 absolute and
// 1e-4 relative is far above that noise and far below any wrong formula or reduction.
const atol = 1e-5;
const rtol = 1e-4;

// ------------------------------------------------------------------ losses

type LossName = "MSELoss" | "L1Loss" | "CrossEntropyLoss" | "BCELoss" | "BCEWithLogitsLoss";

interface LossCase {
  name: string;
  loss: LossName;
  options: { reduction: string };
  input: TensorData;
  /** Class indices (integers) for CrossEntropyLoss, float targets otherwise. */
  target: TensorData;
  out: TensorData;
  w?: TensorData;
  grad: TensorData;
}

const losses = loadFixture<LossCase>("losses.json");

function runLoss(c: LossCase, target: (t: TensorData) => Target): void {
  const input = tensorOf(c.input, true);
  const out = new api.nn[c.loss](c.options).forward(input, target(c.target));
  expectTensor("loss", out, c.out, atol, rtol);
  if (c.w === undefined) out.backward();
  else out.backward(tensorOf(c.w));
  expect(input.grad, "input gradient exists").not.toBeNull();
  expectTensor("input gradient", input.grad, c.grad, atol, rtol);
}

describeEachBackend(`PyTorch ${losses.torch} losses`, () => {
  for (const c of losses.cases) {
    const classIndices = c.loss === "CrossEntropyLoss";
    // Class indices go in as number[], the first form API.md lists; float targets as tensors.
    test(c.name, () => runLoss(c, (t) => (classIndices ? [...t.data] : tensorOf(t))));
    if (classIndices && c.options.reduction === "mean") {
      test(`${c.name}, targets as Int32Array`, () => runLoss(c, (t) => Int32Array.from(t.data)));
      test(`${c.name}, targets as a Tensor`, () => runLoss(c, (t) => tensorOf(t)));
    }
  }
});

// ------------------------------------------------------------------ clip_grad

interface ClipCase {
  name: string;
  fn: "clipGradNorm" | "clipGradValue";
  maxNorm?: number;
  normType?: number | "inf";
  clipValue?: number;
  grads: TensorData[];
  totalNorm?: number;
  clipped: TensorData[];
}

const clips = loadFixture<ClipCase>("clip.json");

describeEachBackend(`PyTorch ${clips.torch} nn.utils clipping`, () => {
  for (const c of clips.cases) {
    test(c.name, () => {
      const params = c.grads.map((g) => {
        const p = api.tensor(new Float32Array(g.data.length), { shape: g.shape, requiresGrad: true });
        p.grad = tensorOf(g);
        return p;
      });
      if (c.fn === "clipGradNorm") {
        const normType = c.normType === "inf" ? Number.POSITIVE_INFINITY : c.normType;
        const total = api.nn.utils.clipGradNorm(params, c.maxNorm as number, normType);
        expect(typeof total, "clipGradNorm returns a number").toBe("number");
        expectValues("total norm", [total], [c.totalNorm as number], atol, rtol);
      } else {
        api.nn.utils.clipGradValue(params, c.clipValue as number);
      }
      params.forEach((p, i) => {
        expectTensor(`clipped grad ${i}`, p.grad, c.clipped[i] as TensorData, atol, rtol);
      });
    });
  }
});

// ------------------------------------------------------------------ small models

type LayerSpec =
  | { type: "Linear"; in: number; out: number; bias?: boolean }
  | { type: "ReLU" | "Sigmoid" | "Tanh" }
  | { type: "Softmax"; dim: number }
  | { type: "Dropout"; p: number };

interface ModelCase {
  name: string;
  layers: LayerSpec[];
  /** false: the model runs in eval mode (it holds Dropout). */
  train: boolean;
  loss: "CrossEntropyLoss" | "BCELoss" | "MSELoss";
  stateDict: Record<string, TensorData>;
  x: TensorData;
  /** Class indices for CrossEntropyLoss, float targets otherwise. */
  y: TensorData;
  out: TensorData;
  value: number;
  /** Gradients in PyTorch's named_parameters() order. */
  grads: Record<string, TensorData>;
  sgd: { options: { lr: number; momentum: number }; losses: number[]; stateDict: Record<string, TensorData> };
}

const models = loadFixture<ModelCase>("mlp.json");

function layer(spec: LayerSpec): Module {
  switch (spec.type) {
    case "Linear":
      return new api.nn.Linear(spec.in, spec.out, { bias: spec.bias ?? true });
    case "Softmax":
      return new api.nn.Softmax({ dim: spec.dim });
    case "Dropout":
      return new api.nn.Dropout({ p: spec.p });
    default:
      return new api.nn[spec.type]();
  }
}

function buildModel(c: ModelCase): Module {
  const model = new api.nn.Sequential(...c.layers.map(layer));
  model.train(c.train);
  model.loadStateDict(Object.fromEntries(Object.entries(c.stateDict).map(([k, v]) => [k, tensorOf(v)])));
  return model;
}

function evaluate(model: Module, c: ModelCase): { out: Tensor; loss: Tensor } {
  const out = model.forward(tensorOf(c.x));
  const target = c.loss === "CrossEntropyLoss" ? [...c.y.data] : tensorOf(c.y);
  return { out, loss: new api.nn[c.loss]().forward(out, target) };
}

describeEachBackend(`PyTorch ${models.torch} Sequential models`, () => {
  for (const c of models.cases) {
    test(`${c.name}: state-dict keys, output, loss and every parameter's gradient`, () => {
      const model = buildModel(c);
      expect(Object.keys(model.stateDict()).sort()).toEqual(Object.keys(c.stateDict).sort());
      expect(model.namedParameters().map(([name]) => name)).toEqual(Object.keys(c.grads));
      const { out, loss } = evaluate(model, c);
      expectTensor("output", out, c.out, atol, rtol);
      expectValues("loss", [loss.item()], [c.value], atol, rtol);
      loss.backward();
      for (const [name, p] of model.namedParameters()) {
        expectTensor(`grad of ${name}`, p.grad, c.grads[name] as TensorData, atol, rtol);
      }
    });

    // Five full-batch steps of SGD with momentum: the losses and the final state dict.
    // Errors of a few ulps per step compound a little through momentum; 1e-5/1e-4 still holds.
    test(`${c.name}: 5 SGD steps (lr ${c.sgd.options.lr}, momentum ${c.sgd.options.momentum})`, () => {
      const model = buildModel(c);
      const optimizer = new api.optim.SGD(model.parameters(), c.sgd.options);
      const seen: number[] = [];
      for (let i = 0; i < c.sgd.losses.length; i++) {
        optimizer.zeroGrad();
        const { loss } = evaluate(model, c);
        loss.backward();
        optimizer.step();
        seen.push(loss.item());
      }
      expectValues("losses", seen, c.sgd.losses, atol, rtol);
      const sd = model.stateDict();
      for (const [name, expected] of Object.entries(c.sgd.stateDict)) {
        expectTensor(`state dict ${name}`, sd[name], expected, atol, rtol);
      }
    });
  }
});
