// nn against PyTorch (fixtures written by scripts/make-fixtures.py): every loss with every
// reduction (value and input gradient), nn.utils.clipGradNorm/clipGradValue, and a
// Linear-ReLU-Linear MLP with CrossEntropyLoss (loss, logits, the gradient of every
// parameter under its state-dict name, then five SGD steps), on every backend.
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

// ------------------------------------------------------------------ MLP

interface MlpCase {
  name: string;
  sizes: [number, number, number];
  stateDict: Record<string, TensorData>;
  x: TensorData;
  y: TensorData;
  logits: TensorData;
  loss: number;
  grads: Record<string, TensorData>;
  sgd: { options: { lr: number; momentum: number }; losses: number[]; stateDict: Record<string, TensorData> };
}

const mlps = loadFixture<MlpCase>("mlp.json");

function buildMlp(c: MlpCase): Module {
  const [nIn, hidden, nOut] = c.sizes;
  const model = new api.nn.Sequential(
    new api.nn.Linear(nIn, hidden),
    new api.nn.ReLU(),
    new api.nn.Linear(hidden, nOut),
  );
  model.loadStateDict(Object.fromEntries(Object.entries(c.stateDict).map(([k, v]) => [k, tensorOf(v)])));
  return model;
}

function crossEntropy(model: Module, c: MlpCase): { logits: Tensor; loss: Tensor } {
  const logits = model.forward(tensorOf(c.x));
  return { logits, loss: new api.nn.CrossEntropyLoss().forward(logits, [...c.y.data]) };
}

describeEachBackend(`PyTorch ${mlps.torch} MLP with CrossEntropyLoss`, () => {
  for (const c of mlps.cases) {
    test(`${c.name}: state-dict keys, logits, loss and every parameter's gradient`, () => {
      const model = buildMlp(c);
      expect(Object.keys(model.stateDict()).sort()).toEqual(Object.keys(c.stateDict).sort());
      expect(model.namedParameters().map(([name]) => name)).toEqual(["0.weight", "0.bias", "2.weight", "2.bias"]);
      const { logits, loss } = crossEntropy(model, c);
      expectTensor("logits", logits, c.logits, atol, rtol);
      expectValues("loss", [loss.item()], [c.loss], atol, rtol);
      loss.backward();
      for (const [name, p] of model.namedParameters()) {
        expectTensor(`grad of ${name}`, p.grad, c.grads[name] as TensorData, atol, rtol);
      }
    });

    // Five full-batch steps of SGD with momentum: the losses and the final state dict.
    // Errors of a few ulps per step compound a little through momentum; 1e-5/1e-4 still holds.
    test(`${c.name}: 5 SGD steps (lr ${c.sgd.options.lr}, momentum ${c.sgd.options.momentum})`, () => {
      const model = buildMlp(c);
      const optimizer = new api.optim.SGD(model.parameters(), c.sgd.options);
      const seen: number[] = [];
      for (let i = 0; i < c.sgd.losses.length; i++) {
        optimizer.zeroGrad();
        const { loss } = crossEntropy(model, c);
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
