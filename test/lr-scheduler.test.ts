// The LR schedulers: sequences PyTorch 1.13.1 produced (get_last_lr after construction
// and after each step), PyTorch's closed forms over longer runs, option checks, and how
// construction changes the optimizer's groups. Learning rates are float64 in both
// libraries and computed by the same operations in the same order, so the sequences
// agree to the last bit except where Math.cos and C's cos round differently: rtol 1e-13.
// The closed forms take another route to the same values: rtol 1e-10.
import { describe, expect, test } from "vitest";
import { optim, type Tensor, tensor } from "../ts/index.js";
import { describeEachBackend, expectClose } from "./backends.js";

const { lrScheduler } = optim;

/** Both kinds: `step()` and ReduceLROnPlateau's `step(metric)`. */
interface Scheduler {
  step(metric: number): void;
  getLastLr(): number[];
}

const param = (): Tensor => tensor([0], { requiresGrad: true });

/** SGD with momentum 0.9 (or Adam) over one parameter per lr, as the PyTorch script made them. */
function optimizer(lrs: number[], kind: "SGD" | "Adam" = "SGD"): optim.Optimizer<object> {
  const groups = lrs.map((lr) => ({ params: [param()], lr }));
  return kind === "SGD" ? new optim.SGD(groups, { lr: lrs[0], momentum: 0.9 }) : new optim.Adam(groups, { lr: lrs[0] });
}

/** The lrs (and momenta, or Adam's beta1) after construction and after each of `steps` steps. */
function run(
  opt: optim.Optimizer<object>,
  scheduler: Scheduler,
  steps: number,
  metrics?: number[],
): { lr: number[][]; momentum: number[][] } {
  const groups = () => opt.paramGroups as unknown as { lr: number; momentum?: number; betas?: number[] }[];
  const lr = [scheduler.getLastLr()];
  const momentum = [groups().map((g) => g.momentum ?? (g.betas?.[0] as number))];
  for (let k = 0; k < steps; k++) {
    scheduler.step(metrics?.[k] as number);
    lr.push(scheduler.getLastLr());
    expect(groups().map((g) => g.lr)).toEqual(lr[lr.length - 1]);
    momentum.push(groups().map((g) => g.momentum ?? (g.betas?.[0] as number)));
  }
  return { lr, momentum };
}

function expectSequence(got: number[][], want: number[][], rtol: number): void {
  expect(got.length).toBe(want.length);
  got.forEach((lrs, k) => {
    expectClose(lrs, want[k] as number[], 0, rtol, `after ${k} steps`);
  });
}

describe("LR schedulers against PyTorch 1.13.1", () => {
  test("StepLR, two groups", () => {
    const opt = optimizer([0.1, 0.03]);
    const { lr } = run(opt, new lrScheduler.StepLR(opt, { stepSize: 3, gamma: 0.5 }), 10);
    const want = [0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125, 0.0125];
    expectSequence(
      lr,
      want.map((v) => [v, v * 0.3]),
      1e-13,
    );
  });

  test("MultiStepLR with a repeated milestone", () => {
    const opt = optimizer([0.1]);
    const { lr } = run(opt, new lrScheduler.MultiStepLR(opt, { milestones: [2, 5, 5, 9] }), 12);
    const [a, b, c] = [0.010000000000000002, 0.00010000000000000005, 1.0000000000000006e-5];
    expectSequence(
      lr,
      [0.1, 0.1, a, a, a, b, b, b, b, c, c, c, c].map((v) => [v]),
      1e-13,
    );
  });

  test("ExponentialLR", () => {
    const opt = optimizer([0.1]);
    const { lr } = run(opt, new lrScheduler.ExponentialLR(opt, { gamma: 0.7 }), 8);
    const want = [
      0.1, 0.06999999999999999, 0.048999999999999995, 0.0343, 0.024009999999999997, 0.016806999999999996,
      0.011764899999999997, 0.008235429999999997, 0.005764800999999997,
    ];
    expectSequence(
      lr,
      want.map((v) => [v]),
      1e-13,
    );
  });

  test("CosineAnnealingLR past tMax, two groups", () => {
    const opt = optimizer([0.1, 0.05]);
    const { lr } = run(opt, new lrScheduler.CosineAnnealingLR(opt, { tMax: 4, etaMin: 0.01 }), 13);
    expectSequence(
      lr,
      [
        [0.1, 0.05],
        [0.08681980515339464, 0.044142135623730955],
        [0.05500000000000001, 0.03],
        [0.023180194846605363, 0.01585786437626905],
        [0.01, 0.01],
        [0.023180194846605363, 0.01585786437626905],
        [0.05500000000000002, 0.030000000000000006],
        [0.08681980515339469, 0.04414213562373097],
        [0.10000000000000006, 0.050000000000000024],
        [0.0868198051533947, 0.044142135623730976],
        [0.05500000000000005, 0.03000000000000002],
        [0.023180194846605412, 0.01585786437626907],
        [0.01, 0.01],
        [0.023180194846605363, 0.01585786437626905],
      ],
      1e-13,
    );
  });

  test("LinearLR with the defaults and with a falling factor", () => {
    let opt = optimizer([0.1]);
    const warmup = [
      0.03333333333333333, 0.04666666666666667, 0.060000000000000005, 0.07333333333333335, 0.08666666666666668, 0.1,
      0.1, 0.1, 0.1,
    ];
    expectSequence(
      run(opt, new lrScheduler.LinearLR(opt), 8).lr,
      warmup.map((v) => [v]),
      1e-13,
    );
    opt = optimizer([0.1]);
    const falling = [0.05, 0.036666666666666674, 0.023333333333333338, 0.01, 0.01, 0.01, 0.01];
    const scheduler = new lrScheduler.LinearLR(opt, { startFactor: 0.5, endFactor: 0.1, totalIters: 3 });
    expectSequence(
      run(opt, scheduler, 6).lr,
      falling.map((v) => [v]),
      1e-13,
    );
  });

  test("OneCycleLR on Adam cycles beta1", () => {
    const opt = optimizer([0.1], "Adam");
    const { lr, momentum } = run(opt, new lrScheduler.OneCycleLR(opt, { maxLr: 0.01, totalSteps: 10 }), 9);
    const lrs = [
      0.0003999999999999993, 0.0052, 0.01, 0.009504846320134737, 0.008117456539497631, 0.0061126202193628925,
      0.003887419780637108, 0.00188258346050237, 0.0004951936798652628, 4e-8,
    ];
    const betas = [
      0.95, 0.8999999999999999, 0.85, 0.854951556604879, 0.8688255099070633, 0.8888739533021842, 0.9111260466978157,
      0.9311744900929366, 0.945048443395121, 0.95,
    ];
    expectSequence(
      lr,
      lrs.map((v) => [v]),
      1e-13,
    );
    expectSequence(
      momentum,
      betas.map((v) => [v]),
      1e-13,
    );
    expect((opt.paramGroups[0] as unknown as { betas: number[] }).betas[1]).toBe(0.999);
  });

  test("OneCycleLR in three linear phases with an maxLr per group", () => {
    const opt = optimizer([0.1, 0.1]);
    const scheduler = new lrScheduler.OneCycleLR(opt, {
      maxLr: [0.2, 0.4],
      totalSteps: 12,
      pctStart: 0.25,
      annealStrategy: "linear",
      threePhase: true,
    });
    const { lr, momentum } = run(opt, scheduler, 11);
    const first = [
      0.008, 0.10400000000000001, 0.2, 0.10400000000000001, 0.008000000000000007, 0.006857257142857143,
      0.005714514285714286, 0.004571771428571429, 0.0034290285714285718, 0.0022862857142857147, 0.0011435428571428576,
      8.000000000004531e-7,
    ];
    // The second group's maxLr is twice the first's, and so is every lr.
    expectSequence(
      lr,
      first.map((v) => [v, 2 * v]),
      1e-13,
    );
    const m = [0.95, 0.8999999999999999, 0.85, 0.8999999999999999, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95, 0.95];
    expectSequence(
      momentum,
      m.map((v) => [v, v]),
      1e-13,
    );
  });

  test("ReduceLROnPlateau in max mode with cooldown and a minLr per group", () => {
    const opt = optimizer([0.1, 0.1]);
    const scheduler = new lrScheduler.ReduceLROnPlateau(opt, {
      mode: "max",
      factor: 0.5,
      patience: 1,
      threshold: 0.1,
      cooldown: 1,
      minLr: [0.02, 0],
    });
    const metrics = [0.1, 0.5, 0.52, 0.5, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9];
    const { lr } = run(opt, scheduler, 10, metrics);
    const want = [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025];
    expectSequence(lr, [...want.map((v) => [v, v]), [0.02, 0.0125]], 1e-13);
  });

  test("LambdaLR with a function per group", () => {
    const opt = optimizer([0.1, 0.2]);
    const scheduler = new lrScheduler.LambdaLR(opt, { lrLambda: [(e) => 0.5 ** e, (e) => e + 1] });
    expectSequence(
      run(opt, scheduler, 5).lr,
      [
        [0.1, 0.2],
        [0.05, 0.4],
        [0.025, 0.6000000000000001],
        [0.0125, 0.8],
        [0.00625, 1.0],
        [0.003125, 1.2000000000000002],
      ],
      1e-13,
    );
  });
});

describe("LR schedulers against PyTorch's closed forms over 40 epochs", () => {
  const base = 0.1;
  const cases: [string, (opt: optim.Optimizer<object>) => Scheduler, (e: number) => number][] = [
    ["StepLR", (o) => new lrScheduler.StepLR(o, { stepSize: 7 }), (e) => base * 0.1 ** Math.floor(e / 7)],
    [
      "MultiStepLR",
      (o) => new lrScheduler.MultiStepLR(o, { milestones: [30, 10, 20], gamma: 0.5 }),
      (e) => base * 0.5 ** [10, 20, 30].filter((m) => m <= e).length,
    ],
    ["ExponentialLR", (o) => new lrScheduler.ExponentialLR(o, { gamma: 0.9 }), (e) => base * 0.9 ** e],
    [
      "CosineAnnealingLR",
      (o) => new lrScheduler.CosineAnnealingLR(o, { tMax: 15, etaMin: 0.002 }),
      (e) => 0.002 + ((base - 0.002) * (1 + Math.cos((Math.PI * e) / 15))) / 2,
    ],
    [
      "LinearLR",
      (o) => new lrScheduler.LinearLR(o, { startFactor: 0.1, totalIters: 12 }),
      (e) => base * (0.1 + (0.9 * Math.min(12, e)) / 12),
    ],
  ];
  for (const [name, make, closedForm] of cases) {
    test(name, () => {
      const opt = optimizer([base]);
      const { lr } = run(opt, make(opt), 40);
      expectSequence(
        lr,
        lr.map((_, e) => [closedForm(e)]),
        1e-10,
      );
    });
  }
});

describe("LR scheduler construction and options", () => {
  test("construction records initialLr in every group, once, as PyTorch's setdefault", () => {
    const opt = optimizer([0.1, 0.05]);
    const first = new lrScheduler.ExponentialLR(opt, { gamma: 0.5 });
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.05]);
    first.step();
    const second = new lrScheduler.StepLR(opt, { stepSize: 2 });
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.1, 0.05]);
    expect(second.baseLrs).toEqual([0.1, 0.05]);
    expect(opt.stateDict().param_groups[0]).toMatchObject({ lr: 0.05, initialLr: 0.1 });
  });

  test("a bad option throws an Error naming the option and value, and the optimizer is unchanged", () => {
    const opt = optimizer([0.1, 0.2]);
    const adagrad = new optim.Adagrad([param()]);
    const before = JSON.stringify(opt.paramGroups.map(({ params: _, ...o }) => o));
    const cases: [() => unknown, string][] = [
      [() => new lrScheduler.StepLR(opt, { stepSize: 0 }), "StepLR: invalid stepSize: 0 (must be an integer >= 1)"],
      [() => new lrScheduler.StepLR(opt, { stepSize: 2.5 }), "StepLR: invalid stepSize: 2.5"],
      [() => new lrScheduler.StepLR(opt, { stepSize: 2, gamma: -1 }), "StepLR: invalid gamma: -1 (must be > 0)"],
      [() => new lrScheduler.StepLR(opt, { step_size: 2 } as never), 'StepLR: unknown option "step_size"'],
      [
        () => new lrScheduler.StepLR({} as never, { stepSize: 2 }),
        "StepLR: expected an optimizer, got [object Object]",
      ],
      [() => new lrScheduler.MultiStepLR(opt, { milestones: 3 as never }), "MultiStepLR: invalid milestones: 3"],
      [() => new lrScheduler.MultiStepLR(opt, { milestones: [2, -1] }), "MultiStepLR: invalid milestones[1]: -1"],
      [() => new lrScheduler.ExponentialLR(opt, {} as never), "ExponentialLR: invalid gamma: undefined"],
      [() => new lrScheduler.CosineAnnealingLR(opt, { tMax: 0 }), "CosineAnnealingLR: invalid tMax: 0 (must be > 0)"],
      [() => new lrScheduler.CosineAnnealingLR(opt, { tMax: 5, etaMin: Number.NaN }), "invalid etaMin: NaN"],
      [() => new lrScheduler.LinearLR(opt, { startFactor: 0 }), "LinearLR: invalid startFactor: 0 (must be in (0, 1])"],
      [() => new lrScheduler.LinearLR(opt, { endFactor: 1.5 }), "LinearLR: invalid endFactor: 1.5 (must be in [0, 1])"],
      [() => new lrScheduler.LambdaLR(opt, { lrLambda: 0.5 as never }), "LambdaLR: invalid lrLambda: 0.5"],
      [() => new lrScheduler.LambdaLR(opt, { lrLambda: [() => 1] }), "LambdaLR: expected 2 lrLambdas"],
      [() => new lrScheduler.LambdaLR(opt, { lrLambda: () => Number.NaN }), "lrLambda returned NaN for epoch 0"],
      [() => new lrScheduler.OneCycleLR(opt, { maxLr: 0.1 }), "OneCycleLR: give either totalSteps or both epochs"],
      [
        () => new lrScheduler.OneCycleLR(opt, { maxLr: 0.1, epochs: 2 }),
        "OneCycleLR: invalid stepsPerEpoch: undefined",
      ],
      [() => new lrScheduler.OneCycleLR(opt, { maxLr: -1, totalSteps: 5 }), "OneCycleLR: invalid maxLr: -1"],
      [
        () => new lrScheduler.OneCycleLR(opt, { maxLr: [1], totalSteps: 5 }),
        "OneCycleLR: invalid maxLr: [1] (expected 2",
      ],
      [() => new lrScheduler.OneCycleLR(opt, { maxLr: 1, totalSteps: 5, pctStart: 2 }), "invalid pctStart: 2"],
      [
        () => new lrScheduler.OneCycleLR(opt, { maxLr: 1, totalSteps: 5, annealStrategy: "exp" as never }),
        'OneCycleLR: invalid annealStrategy: "exp" (must be one of "cos", "linear")',
      ],
      [() => new lrScheduler.OneCycleLR(adagrad, { maxLr: 1, totalSteps: 5 }), "cycleMomentum needs an optimizer"],
      [() => new lrScheduler.ReduceLROnPlateau(opt, { factor: 1 }), "ReduceLROnPlateau: invalid factor: 1"],
      [() => new lrScheduler.ReduceLROnPlateau(opt, { mode: "up" as never }), 'invalid mode: "up"'],
      [() => new lrScheduler.ReduceLROnPlateau(opt, { patience: -1 }), "invalid patience: -1"],
      [() => new lrScheduler.ReduceLROnPlateau(opt, { thresholdMode: "x" as never }), 'invalid thresholdMode: "x"'],
      [() => new lrScheduler.ReduceLROnPlateau(opt, { minLr: [0] }), "invalid minLr: [0] (expected 2 values"],
    ];
    for (const [make, message] of cases) {
      expect(make).toThrow(message);
      expect(JSON.stringify(opt.paramGroups.map(({ params: _, ...o }) => o))).toBe(before);
    }
  });

  test("OneCycleLR refuses to step past totalSteps and keeps its lrs", () => {
    const opt = optimizer([0.1]);
    const scheduler = new lrScheduler.OneCycleLR(opt, { maxLr: 0.5, epochs: 2, stepsPerEpoch: 2 });
    for (let k = 0; k < 4; k++) scheduler.step();
    const last = scheduler.getLastLr();
    expect(() => scheduler.step()).toThrow("OneCycleLR: tried to step 6 times, but the cycle has totalSteps = 4");
    expect(scheduler.getLastLr()).toEqual(last);
    expect(scheduler.lastEpoch).toBe(4);
  });

  test("ReduceLROnPlateau takes a one-element Tensor as the metric", () => {
    const opt = optimizer([0.1]);
    const scheduler = new lrScheduler.ReduceLROnPlateau(opt, { patience: 0 });
    scheduler.step(tensor(1));
    scheduler.step(tensor(2));
    expect(scheduler.getLastLr()).toEqual([0.1 * 0.1]);
    expect(() => scheduler.step("1" as never)).toThrow("ReduceLROnPlateau.step: metric must be a number");
  });
});

describeEachBackend("LR schedulers drive the optimizer", () => {
  test("each step uses the lr the scheduler set", () => {
    const p = tensor([1, 1], { requiresGrad: true });
    const opt = new optim.SGD([p], { lr: 0.1 });
    const scheduler = new lrScheduler.StepLR(opt, { stepSize: 1, gamma: 0.5 });
    let [a, b] = [1, 1];
    for (let k = 0; k < 4; k++) {
      p.grad = tensor([1, -2]);
      const lr = opt.paramGroups[0]?.lr as number;
      opt.step();
      scheduler.step();
      [a, b] = [a - lr, b + 2 * lr];
      expectClose(p.toFloat32Array(), [a, b], 1e-6);
    }
  });
});
