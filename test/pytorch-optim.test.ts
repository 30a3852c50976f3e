// Optimizers and LR schedulers against PyTorch (fixtures written by
// scripts/make-fixtures.py), on every backend:
// - each optimizer under several option sets (camelCase, as API.md), with parameter
//   groups and with a parameter that has no gradient at some steps: the parameters after
//   each of 12 steps with given gradients;
// - each LR scheduler: every group's lr after construction and after each step (and the
//   momentum OneCycleLR cycles).
import { expect, test } from "vitest";
import { describeEachBackend } from "./backends.js";
import {
  api,
  expectTensor,
  expectValues,
  loadFixture,
  type Optimizer,
  type Options,
  type Tensor,
  type TensorData,
  tensorOf,
} from "./fixtures.js";

// ------------------------------------------------------------------ optimizers

type OptimizerName = "SGD" | "Adam" | "AdamW" | "Adagrad" | "RMSprop";

interface OptimizerCase {
  name: string;
  optimizer: OptimizerName;
  options: Options;
  /** Parameter groups: indices into `params` and the group's own options. */
  groups?: { params: number[]; options: Options }[];
  params: TensorData[];
  /** grads[step][param]; null leaves that parameter's grad null for the step. */
  grads: (TensorData | null)[][];
  /** trajectory[step][param]: the parameter after step + 1 steps. */
  trajectory: TensorData[][];
}

// The state (moments, accumulators) is float32 in both libraries, but each step rounds in a
// different order (PyTorch's chain of in-place ops against a fused kernel: sqrt, division,
// bias corrections), so every step adds a few ulps. Over 12 steps that stays near 1e-6;
// 1e-5 absolute + 1e-4 relative leaves room for it and still catches a wrong formula,
// a misplaced eps or weight decay, or a bias correction off by one step (each moves the
// parameters by at least ~1e-4 here).
const atol = 1e-5;
const rtol = 1e-4;

const optimizers = loadFixture<OptimizerCase>("optimizers.json");

function build(c: OptimizerCase, params: Tensor[]): Optimizer {
  const Ctor = api.optim[c.optimizer];
  if (c.groups === undefined) return new Ctor(params, c.options);
  const groups = c.groups.map((g) => ({ params: g.params.map((i) => params[i] as Tensor), ...g.options }));
  return new Ctor(groups, c.options);
}

/** Runs the fixture's steps from `from` to `to` (exclusive), checking the parameters after each. */
function runSteps(c: OptimizerCase, optimizer: Optimizer, params: Tensor[], from: number, to: number): void {
  for (let step = from; step < to; step++) {
    const grads = c.grads[step] as (TensorData | null)[];
    params.forEach((p, i) => {
      const g = grads[i];
      p.grad = g === null || g === undefined ? null : tensorOf(g);
    });
    optimizer.step();
    params.forEach((p, i) => {
      expectTensor(`param ${i} after step ${step + 1}`, p, c.trajectory[step]?.[i] as TensorData, atol, rtol);
    });
  }
}

describeEachBackend(`PyTorch ${optimizers.torch} optimizers`, () => {
  for (const c of optimizers.cases) {
    test(c.name, () => {
      const params = c.params.map((p) => tensorOf(p, true));
      runSteps(c, build(c, params), params, 0, c.grads.length);
    });

    // As PyTorch: a new optimizer over the same parameters that loads the first one's
    // stateDict() continues exactly where it stopped (moments, step counts, buffers).
    test(`${c.name}, resumed through stateDict/loadStateDict after 6 steps`, () => {
      const params = c.params.map((p) => tensorOf(p, true));
      const first = build(c, params);
      runSteps(c, first, params, 0, 6);
      const resumed = build(c, params);
      resumed.loadStateDict(first.stateDict());
      runSteps(c, resumed, params, 6, c.grads.length);
    });
  }
});

// ------------------------------------------------------------------ schedulers

type SchedulerName =
  | "StepLR"
  | "MultiStepLR"
  | "ExponentialLR"
  | "CosineAnnealingLR"
  | "LinearLR"
  | "OneCycleLR"
  | "ReduceLROnPlateau"
  | "LambdaLR";

interface SchedulerCase {
  name: string;
  scheduler: SchedulerName;
  /** camelCase options; LambdaLR's lrLambda is the body of `(epoch) => ...`, rebuilt by `lambdas`. */
  options: Options;
  optimizer: { name: "SGD"; lrs: number[]; momentum: number };
  steps: number;
  /** lr[k][group]: after construction (k = 0) and after k steps. */
  lr: number[][];
  /** ReduceLROnPlateau: the metric passed to each step. */
  metrics?: number[];
  /** OneCycleLR: each group's momentum, like lr. */
  momentum?: number[][];
}

/** The lambdas of LambdaLR cases, keyed by the TypeScript text the fixture records. */
const lambdas: Record<string, (epoch: number) => number> = {
  "0.95 ** epoch": (epoch) => 0.95 ** epoch,
  "1 / (1 + 0.1 * epoch)": (epoch) => 1 / (1 + 0.1 * epoch),
  "Math.min(1, (epoch + 1) / 5)": (epoch) => Math.min(1, (epoch + 1) / 5),
};

// LRs are plain float64 arithmetic in both libraries; only the order of operations may
// differ (a closed form against PyTorch's chained form), which costs a few ulps.
const lrAtol = 1e-12;
const lrRtol = 1e-9;

const schedulers = loadFixture<SchedulerCase>("schedulers.json");

describeEachBackend(`PyTorch ${schedulers.torch} LR schedulers`, () => {
  for (const c of schedulers.cases) {
    test(c.name, () => {
      const params = c.optimizer.lrs.map(() => api.tensor(new Float32Array(2), { shape: [2], requiresGrad: true }));
      const optimizer = new api.optim.SGD(
        params.map((p, i) => ({ params: [p], lr: c.optimizer.lrs[i] as number })),
        { lr: c.optimizer.lrs[0], momentum: c.optimizer.momentum },
      );
      const options = { ...c.options };
      if (c.scheduler === "LambdaLR") {
        const lambda = lambdas[options.lrLambda as string];
        if (lambda === undefined) throw new Error(`no TypeScript lambda for ${String(options.lrLambda)}`);
        options.lrLambda = lambda;
      }
      const scheduler = new api.optim.lrScheduler[c.scheduler](optimizer, options);
      const groupLrs = (): number[] => optimizer.paramGroups.map((g) => g.lr);
      const check = (k: number): void => {
        const expected = c.lr[k] as number[];
        expectValues(`paramGroups lr after ${k} steps`, groupLrs(), expected, lrAtol, lrRtol);
        expectValues(`getLastLr() after ${k} steps`, scheduler.getLastLr(), expected, lrAtol, lrRtol);
        if (c.momentum !== undefined) {
          const momenta = optimizer.paramGroups.map((g) => g.momentum as number);
          expectValues(`paramGroups momentum after ${k} steps`, momenta, c.momentum[k] as number[], lrAtol, lrRtol);
        }
      };
      check(0);
      for (let k = 1; k <= c.steps; k++) {
        for (const p of params) p.grad = api.tensor(new Float32Array([1, 1]), { shape: [2] });
        optimizer.step();
        if (c.metrics === undefined) scheduler.step();
        else scheduler.step(c.metrics[k - 1]);
        check(k);
      }
      expect(c.lr.length).toBe(c.steps + 1);
    });
  }
});
