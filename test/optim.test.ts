// The optimizers' TypeScript side on every backend: defaults and option checks, groups,
// parameters without gradients, and stateDict/loadStateDict (PyTorch's layout, checked
// against state dicts PyTorch 1.13.1 produced for the same steps). The update formulas
// themselves are checked against PyTorch in pytorch-optim.test.ts and kernel by kernel in
// optim-kernels.test.ts.
import { describe, expect, test, vi } from "vitest";
import { nn, optim, type Tensor, tensor } from "../ts/index.js";
import type { OptimizerStateDict } from "../ts/optim/index.js";
import { describeEachBackend, expectClose } from "./backends.js";

type AnyOptimizer = optim.Optimizer<object>;
type Make = (params: Tensor[]) => AnyOptimizer;

/** The two parameters of every PyTorch case below: shapes [3] and [1, 2]. */
const startValues = [[0.5, -1, 2], [[0.25, -0.75]]] as const;
const gradValues = [
  [[0.1, -0.2, 0.3], [[0.5, 0.25]]],
  [[-0.4, 0.05, 0.2], [[-0.1, 0.3]]],
  [[0.3, 0.3, -0.6], [[0.2, -0.2]]],
] as const;

const makeParams = (): Tensor[] => startValues.map((v) => tensor(v as never, { requiresGrad: true }));
const flat = (t: Tensor): number[] => Array.from(t.toFloat32Array());
const flatGrad = (t: Tensor): number[] | null => (t.grad ? flat(t.grad) : null);

function stepWith(opt: AnyOptimizer, params: Tensor[], step: number): void {
  for (const [i, p] of params.entries()) p.grad = tensor(gradValues[step % gradValues.length]?.[i] as never);
  opt.step();
}

/** A state dict as JSON would carry it: tensors as nested arrays. */
function toJson(sd: OptimizerStateDict<Tensor>): OptimizerStateDict {
  const state = Object.fromEntries(
    Object.entries(sd.state).map(([k, entry]) => [
      k,
      Object.fromEntries(Object.entries(entry).map(([n, v]) => [n, v instanceof Object ? v.toArray() : v])),
    ]),
  );
  return JSON.parse(JSON.stringify({ state, param_groups: sd.param_groups }));
}

const configs: [string, Make][] = [
  ["SGD with momentum", (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true })],
  ["Adam with amsgrad", (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.1 })],
  ["AdamW", (p) => new optim.AdamW(p, { lr: 0.01, betas: [0.8, 0.99] })],
  ["Adagrad", (p) => new optim.Adagrad(p, { lr: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 })],
  ["RMSprop centered with momentum", (p) => new optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.9 })],
];

describe("optimizer options", () => {
  const params = () => [tensor([1, 2], { requiresGrad: true })];

  test("defaults are PyTorch's", () => {
    const groupOf = (opt: AnyOptimizer) => {
      const { params: _, ...options } = opt.paramGroups[0] as Record<string, unknown>;
      return options;
    };
    expect(groupOf(new optim.Adam(params()))).toEqual({
      lr: 1e-3,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
    });
    expect(groupOf(new optim.AdamW(params()))).toMatchObject({ lr: 1e-3, weightDecay: 1e-2, amsgrad: false });
    expect(groupOf(new optim.Adagrad(params()))).toEqual({
      lr: 1e-2,
      lrDecay: 0,
      weightDecay: 0,
      initialAccumulatorValue: 0,
      eps: 1e-10,
      maximize: false,
    });
    expect(groupOf(new optim.RMSprop(params()))).toEqual({
      lr: 1e-2,
      alpha: 0.99,
      eps: 1e-8,
      weightDecay: 0,
      momentum: 0,
      centered: false,
      maximize: false,
    });
  });

  test("a bad option throws an Error naming the option and value, and no optimizer is made", () => {
    const cases: [() => unknown, string][] = [
      [() => new optim.Adam(params(), { lr: -1 }), "Adam: invalid lr: -1 (must be >= 0)"],
      [() => new optim.Adam(params(), { betas: [1, 0.999] }), "Adam: invalid betas[0]: 1 (must be in [0, 1))"],
      [() => new optim.Adam(params(), { betas: [0.9, -0.1] }), "Adam: invalid betas[1]: -0.1 (must be in [0, 1))"],
      [() => new optim.Adam(params(), { betas: 0.9 as never }), "Adam: invalid betas: 0.9 (must be two numbers"],
      [() => new optim.Adam(params(), { eps: 0 }), "Adam: invalid eps: 0 (must be > 0)"],
      [() => new optim.Adam(params(), { weightDecay: Number.NaN }), "Adam: invalid weightDecay: NaN"],
      [() => new optim.Adam(params(), { lr: Number.POSITIVE_INFINITY }), "Adam: invalid lr: Infinity"],
      [
        () => new optim.Adam(params(), { amsgrad: "yes" as never }),
        'Adam: invalid amsgrad: "yes" (must be true or false)',
      ],
      [() => new optim.Adam(params(), { weight_decay: 0.1 } as never), 'Adam: unknown option "weight_decay"'],
      [() => new optim.AdamW(params(), { eps: -1e-8 }), "AdamW: invalid eps: -1e-8 (must be > 0)"],
      [() => new optim.Adagrad(params(), { lrDecay: -0.1 }), "Adagrad: invalid lrDecay: -0.1 (must be >= 0)"],
      [
        () => new optim.Adagrad(params(), { initialAccumulatorValue: -1 }),
        "Adagrad: invalid initialAccumulatorValue: -1",
      ],
      [() => new optim.Adagrad(params(), { eps: 0 }), "Adagrad: invalid eps: 0 (must be > 0)"],
      [() => new optim.RMSprop(params(), { alpha: -0.5 }), "RMSprop: invalid alpha: -0.5 (must be >= 0)"],
      [() => new optim.RMSprop(params(), { momentum: -1 }), "RMSprop: invalid momentum: -1 (must be >= 0)"],
      [
        () => new optim.RMSprop(params(), { centered: 1 as never }),
        "RMSprop: invalid centered: 1 (must be true or false)",
      ],
      [() => new optim.Adam([{ params: params(), lr: -2 }], { lr: 0.1 }), "Adam: invalid lr: -2"],
      [() => new optim.Adam([{ params: params(), momentum: 0.9 } as never]), 'Adam: unknown option "momentum"'],
      [() => new optim.Adam([]), "Adam: optimizer got an empty parameter list"],
      [() => new optim.Adam(params(), 0.1 as never), "Adam: options must be an object, got 0.1"],
    ];
    for (const [make, message] of cases) expect(make).toThrow(message);
  });
});

describeEachBackend("optimizers", () => {
  test("a parameter without a gradient is skipped and its state does not advance", () => {
    for (const [name, make] of configs) {
      const params = makeParams();
      const opt = make(params);
      stepWith(opt, params, 0);
      const before = flat(params[1] as Tensor);
      (params[1] as Tensor).grad = null;
      (params[0] as Tensor).grad = tensor(gradValues[1][0] as never);
      opt.step();
      expect(flat(params[1] as Tensor), name).toEqual(before);
      const state = opt.stateDict().state;
      if ("step" in (state[0] ?? {})) expect([state[0]?.step, state[1]?.step], name).toEqual([2, 1]);
    }
  });

  test("parameter groups take their own options over the defaults", () => {
    const [p, q] = makeParams() as [Tensor, Tensor];
    const opt = new optim.Adam([{ params: [p] }, { params: [q], lr: 0.1, betas: [0.5, 0.9] }], { lr: 0.01 });
    expect(opt.paramGroups.map((g) => [g.lr, g.betas])).toEqual([
      [0.01, [0.9, 0.999]],
      [0.1, [0.5, 0.9]],
    ]);
    stepWith(opt, [p, q], 0);
    // Adam's first step moves every element by lr against the sign of its gradient.
    expectClose(flat(p), [0.5 - 0.01, -1 + 0.01, 2 - 0.01], 1e-6);
    expectClose(flat(q), [0.25 - 0.1, -0.75 - 0.1], 1e-6);
  });

  test("zeroGrad sets every gradient to null", () => {
    const params = makeParams();
    const opt = new optim.RMSprop(params);
    stepWith(opt, params, 0);
    opt.zeroGrad();
    expect(params.map((p) => p.grad)).toEqual([null, null]);
  });

  // 20,000 floats: above the slab limit, so the js and native backends recycle the storage.
  const largeParam = () => tensor(new Array<number>(20000).fill(1)).requiresGrad_();

  test("zeroGrad frees a gradient that only autograd and clipping held, for the next backward to reuse", () => {
    const p = largeParam();
    const opt = new optim.SGD([p]);
    p.mul(2).sum().backward();
    nn.utils.clipGradNorm([p], 1);
    const free = vi.spyOn(p.backend, "free");
    try {
      opt.zeroGrad();
      expect(free).toHaveBeenCalledTimes(1);
    } finally {
      free.mockRestore();
    }
  });

  test("a gradient read through .grad or assigned to it outlives zeroGrad and the next backward", () => {
    const [p, q] = [largeParam(), largeParam()];
    const opt = new optim.SGD([p, q]);
    p.mul(2).sum().backward();
    const read = p.grad as Tensor;
    const assigned = tensor(new Array<number>(20000).fill(5));
    q.grad = assigned;
    opt.zeroGrad();
    p.mul(3).sum().backward();
    expect(read.toFloat32Array().every((x) => x === 2)).toBe(true);
    expect(assigned.toFloat32Array().every((x) => x === 5)).toBe(true);
    expect(p.grad?.toFloat32Array().every((x) => x === 3)).toBe(true);
  });

  test("zeroGrad(false) zeroes the gradients in place, and backward accumulates into them", () => {
    const params = makeParams();
    const opt = new optim.SGD(params, { lr: 0.1 });
    const loss = () =>
      (params[0] as Tensor)
        .mul(2)
        .sum()
        .add((params[1] as Tensor).mul(3).sum());
    loss().backward();
    const grads = params.map((p) => p.grad);
    const sameTensors = () => {
      for (const [i, p] of params.entries()) expect(p.grad).toBe(grads[i]);
    };
    opt.zeroGrad(false);
    sameTensors();
    expect(params.map(flatGrad)).toEqual([
      [0, 0, 0],
      [0, 0],
    ]);
    loss().backward();
    sameTensors();
    expect(params.map(flatGrad)).toEqual([
      [2, 2, 2],
      [3, 3],
    ]);
  });

  // PyTorch 1.13.1's state_dict() after the first two steps of `gradValues`.
  const pytorch: { make: Make; params: number[][]; state: Record<string, number | number[]>[] }[] = [
    {
      make: (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9 }),
      params: [
        [0.521, -0.967, 1.923],
        [0.165, -0.8275],
      ],
      state: [{ momentum_buffer: [-0.31, -0.13, 0.47] }, { momentum_buffer: [0.35, 0.525] }],
    },
    {
      make: (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.1 }),
      params: [
        [0.49421122670173645, -0.982187032699585, 1.9801207780838013],
        [0.23443524539470673, -0.7699889540672302],
      ],
      state: [
        {
          step: 2,
          exp_avg: [-0.0216, -0.0319, 0.0849],
          exp_avg_sq: [0.00014567851030733436, 9.231101284967735e-5, 0.00040895104757510126],
          max_exp_avg_sq: [0.00014567851030733436, 9.231101284967735e-5, 0.00040895104757510126],
        },
        {
          step: 2,
          exp_avg: [0.039649996906518936, 0.03815000131726265],
          exp_avg_sq: [0.0002811253652907908, 8.077038364717737e-5],
          max_exp_avg_sq: [0.0002811253652907908, 8.077038364717737e-5],
        },
      ],
    },
    {
      make: (p) => new optim.AdamW(p, { lr: 0.01 }),
      params: [
        [0.4954960346221924, -0.9851062893867493, 1.9798974990844727],
        [0.23484072089195251, -0.7698551416397095],
      ],
      state: [
        {
          step: 2,
          exp_avg: [-0.031, -0.013, 0.047],
          exp_avg_sq: [0.00016999001672957093, 4.246000389684923e-5, 0.00012991001131013036],
        },
        { step: 2, exp_avg: [0.035, 0.0525], exp_avg_sq: [0.0002597499988041818, 0.00015243751113303006] },
      ],
    },
    {
      make: (p) => new optim.Adagrad(p, { lr: 0.1, initialAccumulatorValue: 0.1 }),
      params: [
        [0.5468289256095886, -0.9597930908203125, 1.8894723653793335],
        [0.18215124309062958, -0.8717195987701416],
      ],
      state: [
        { step: 2, sum: [0.27, 0.1425, 0.23] },
        { step: 2, sum: [0.36, 0.2525] },
      ],
    },
    {
      make: (p) => new optim.RMSprop(p, { lr: 0.01, centered: true, momentum: 0.9 }),
      params: [
        [0.40634554624557495, -0.8334750533103943, 1.7528395652770996],
        [0.07880942523479462, -1.0187082290649414],
      ],
      state: [
        {
          step: 2,
          square_avg: [0.0016990001313388348, 0.000421000033384189, 0.0012910000514239073],
          momentum_buffer: [-0.6849241256713867, -6.602123260498047, 14.665666580200195],
          grad_avg: [-0.00301, -0.00148, 0.00497],
        },
        {
          step: 2,
          square_avg: [0.002575, 0.00151875],
          momentum_buffer: [7.068681716918945, 16.820449829101562],
          grad_avg: [0.00395, 0.005475],
        },
      ],
    },
  ];

  // Centered RMSprop divides by sqrt(squareAvg − gradAvg²), which cancels: its momentum
  // buffers (up to ~17 here) are the least precise values, hence rtol 1e-4.
  test("stateDict has PyTorch's keys and values after two steps", () => {
    for (const c of pytorch) {
      const params = makeParams();
      const opt = c.make(params);
      stepWith(opt, params, 0);
      stepWith(opt, params, 1);
      const sd = opt.stateDict();
      for (const [i, p] of params.entries()) expectClose(flat(p), c.params[i] as number[], 1e-6, 1e-5, `param ${i}`);
      c.state.forEach((want, i) => {
        const got = sd.state[i] ?? {};
        expect(Object.keys(got)).toEqual(Object.keys(want));
        for (const [key, value] of Object.entries(want)) {
          const entry = got[key];
          if (typeof value === "number") expect(entry).toBe(value);
          else expectClose(flat(entry as Tensor), value, 1e-8, 1e-4, `state[${i}].${key}`);
        }
      });
      expect(sd.param_groups[0]?.params).toEqual([0, 1]);
    }
  });

  test("a state dict from PyTorch (nested arrays, camelCase options) loads, and training continues as in PyTorch", () => {
    const cases: [Make, Record<string, unknown>, number, number[][]][] = [
      [
        (p) => new optim.Adam(p),
        { lr: 0.01, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.1, amsgrad: true, maximize: false },
        1,
        [
          [0.49229696393013, -0.9806921482086182, 1.9770572185516357],
          [0.22798973321914673, -0.7710572481155396],
        ],
      ],
      [
        (p) => new optim.RMSprop(p),
        { lr: 0.01, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0.9, centered: true, maximize: false },
        4,
        [
          [0.35347041487693787, -0.8568028211593628, 1.7067654132843018],
          [-0.021856438368558884, -1.1241105794906616],
        ],
      ],
    ];
    for (const [make, options, index, after] of cases) {
      const saved = pytorch[index] as (typeof pytorch)[number];
      const params = saved.params.map((v, i) => tensor(i === 0 ? v : [v], { requiresGrad: true }));
      const opt = make(params);
      const state = saved.state.map((entry, i) =>
        Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, typeof v === "number" || i === 0 ? v : [v]])),
      );
      opt.loadStateDict({ state: { ...state }, param_groups: [{ ...options, params: [0, 1] }] });
      expect(opt.paramGroups[0]).toMatchObject(options);
      stepWith(opt, params, 2);
      for (const [i, p] of params.entries()) expectClose(flat(p), after[i] as number[], 1e-6, 1e-4, `param ${i}`);
    }
  });

  test("after loadStateDict, two copies continue identically (also through JSON)", () => {
    for (const [name, make] of configs) {
      const params = makeParams();
      const opt = make(params);
      for (let s = 0; s < 3; s++) stepWith(opt, params, s);
      const sd = opt.stateDict();
      for (const loaded of [sd, toJson(sd)]) {
        const twin = params.map((p) => p.detach().requiresGrad_());
        const twinOpt = make(twin);
        twinOpt.loadStateDict(loaded);
        expect(twinOpt.paramGroups.map(({ params: _, ...o }) => o)).toEqual(
          opt.paramGroups.map(({ params: _, ...o }) => o),
        );
        const copies = params.map((p) => p.detach().requiresGrad_());
        const copyOpt = make(copies);
        copyOpt.loadStateDict(sd);
        for (let s = 3; s < 6; s++) {
          stepWith(twinOpt, twin, s);
          stepWith(copyOpt, copies, s);
        }
        for (const [i, p] of twin.entries()) expect(flat(p), `${name} param ${i}`).toEqual(flat(copies[i] as Tensor));
      }
    }
  });

  test("buffers are copied by stateDict and by loadStateDict, never shared", () => {
    for (const [name, make] of configs) {
      const params = makeParams();
      const opt = make(params);
      stepWith(opt, params, 0);
      const sd = opt.stateDict();
      const snapshot = JSON.stringify(toJson(sd));
      stepWith(opt, params, 1);
      expect(JSON.stringify(toJson(sd)), `${name}: stateDict() then step`).toBe(snapshot);
      opt.loadStateDict(sd);
      stepWith(opt, params, 1);
      expect(JSON.stringify(toJson(sd)), `${name}: loadStateDict() then step`).toBe(snapshot);
    }
  });

  test("loadStateDict checks everything first and changes nothing when anything is wrong", () => {
    const params = makeParams();
    const opt = new optim.Adam(params, { lr: 0.01, amsgrad: true });
    stepWith(opt, params, 0);
    const good = toJson(opt.stateDict());
    const before = JSON.stringify(toJson(opt.stateDict()));
    const edit = (change: (sd: OptimizerStateDict) => void): OptimizerStateDict => {
      const sd = JSON.parse(JSON.stringify(good));
      change(sd);
      return sd;
    };
    const group = (sd: OptimizerStateDict) => sd.param_groups[0] as Record<string, unknown>;
    const entry = (sd: OptimizerStateDict, i: number) => sd.state[i] as Record<string, unknown>;
    const cases: [OptimizerStateDict, RegExp][] = [
      [edit((sd) => sd.param_groups.push({ ...group(sd), params: [] })), /2 parameter groups but the optimizer has 1/],
      [
        edit((sd) => (group(sd).params = [0])),
        /param_groups\[0\] has 1 parameters in the state dict but 2 in the optimizer/,
      ],
      [
        edit((sd) => (entry(sd, 1).exp_avg = [1, 2, 3])),
        /state\[1\]\.exp_avg has shape \[3\] but its parameter has shape \[1, 2\]/,
      ],
      [edit((sd) => delete entry(sd, 0).max_exp_avg_sq), /state\[0\] lacks max_exp_avg_sq/],
      [edit((sd) => delete entry(sd, 0).step), /state\[0\] lacks step/],
      [edit((sd) => (entry(sd, 0).step = -1)), /state\[0\]\.step is -1, not an integer >= 0/],
      [edit((sd) => (entry(sd, 0).momentum_buffer = [0, 0, 0])), /state\[0\] has an unknown entry "momentum_buffer"/],
      [edit((sd) => (sd.state[7] = {})), /state\[7\] belongs to no parameter/],
      [edit((sd) => (group(sd).lr = -1)), /param_groups\[0\]: Adam: invalid lr: -1/],
      [edit((sd) => (group(sd).weight_decay = 0)), /param_groups\[0\] has unknown options weight_decay/],
      [edit((sd) => delete group(sd).eps), /param_groups\[0\] lacks the options eps/],
      [{ state: {} } as never, /expected \{ state, param_groups \}/],
    ];
    for (const [sd, message] of cases) {
      expect(() => opt.loadStateDict(sd)).toThrow(message);
      expect(JSON.stringify(toJson(opt.stateDict()))).toBe(before);
    }
    // Every problem at once, in one message.
    const many = edit((sd) => {
      group(sd).lr = -1;
      delete entry(sd, 1).exp_avg;
    });
    expect(() => opt.loadStateDict(many)).toThrow(/invalid lr: -1.*state\[1\] lacks exp_avg/);
  });

  test("Adagrad has state from construction on, as in PyTorch", () => {
    const params = makeParams();
    const sd = new optim.Adagrad(params, { initialAccumulatorValue: 0.5 }).stateDict();
    expect(Object.keys(sd.state)).toEqual(["0", "1"]);
    expect(sd.state[0]?.step).toBe(0);
    expect(flat(sd.state[1]?.sum as Tensor)).toEqual([0.5, 0.5]);
  });

  test("SGD keeps a momentum buffer only with momentum; loading null for it is accepted", () => {
    const params = makeParams();
    const plain = new optim.SGD(params, { lr: 0.1 });
    stepWith(plain, params, 0);
    expect(plain.stateDict().state).toEqual({});
    const withMomentum = new optim.SGD(params, { lr: 0.1, momentum: 0.9 });
    stepWith(withMomentum, params, 0);
    expect(Object.keys(withMomentum.stateDict().state[0] ?? {})).toEqual(["momentum_buffer"]);
    const sd = toJson(withMomentum.stateDict());
    withMomentum.loadStateDict({ ...sd, state: { 0: { momentum_buffer: null } } });
    expect(withMomentum.stateDict().state).toEqual({ 0: {} });
  });
});
