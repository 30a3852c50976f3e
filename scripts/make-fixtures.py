#!/usr/bin/python3
"""Writes the PyTorch fixtures that test/pytorch-*.test.ts checks every backend against.

Run from anywhere (it writes next to itself, into ../test/fixtures/):

    /usr/bin/python3 scripts/make-fixtures.py

It needs PyTorch from Debian's `python3-torch` (1.13.x, with its numpy), hence
/usr/bin/python3 rather than whatever `python3` is first on PATH. The output is
deterministic: every random value comes from a seeded torch.Generator, and
re-running it rewrites the same files (same torch version, same CPU kernels).

Files (JSON, one case per line so diffs stay readable; each file carries `torch`,
the version that produced it):
  ops.json         every Tensor op of API.md: inputs, output, and the gradient of
                   (out * w).sum() with respect to every tensor input (w random and
                   fixed; for 0-d outputs w is omitted and the gradient is of out itself)
  losses.json      each loss x reduction: value and the gradient of the input
  optimizers.json  each optimizer under several option sets: the parameters after each
                   of 12 steps with given gradients (p.grad assigned directly)
  schedulers.json  each LR scheduler: lr of every param group after construction and
                   after each step
  clip.json        nn.utils.clip_grad_norm_ (norm 2, 1, inf) and clip_grad_value_
  mlp.json         small Sequential models (Linear-ReLU-Linear with CrossEntropyLoss, and
                   Tanh/Sigmoid/Softmax/Dropout with BCELoss/MSELoss): output, loss and the
                   gradient of every parameter under its state-dict name, then 5 SGD steps

Tensors are written as {"shape": [...], "data": [...]} with data flattened in row-major
order. float32 values are written as the shortest decimal that reads back as the same
float32 (Math.fround(x) recovers the exact value); scheduler lrs are Python floats
(float64) and keep every digit. Options are in camelCase, as descent's API takes them;
the script maps them to PyTorch's snake_case names.
"""

import json
import math
import os
import re

import numpy as np
import torch

torch.set_num_threads(1)  # reductions sum in one fixed order
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures")
GEN = torch.Generator().manual_seed(20240601)


# ---------------------------------------------------------------- helpers


def f32(x):
    """The shortest decimal that reads back as the float32 `x`, as a Python float."""
    return float(str(np.float32(x)))


def enc(t):
    """A tensor as {"shape", "data"} with float32 values (integers for integer tensors)."""
    t = t.detach().contiguous()
    if t.dtype in (torch.int64, torch.int32):
        return {"shape": list(t.shape), "data": [int(v) for v in t.reshape(-1).tolist()]}
    return {"shape": list(t.shape), "data": [f32(v) for v in t.reshape(-1).tolist()]}


def uniform(shape, lo=-1.0, hi=1.0):
    return torch.rand(shape, generator=GEN) * (hi - lo) + lo


def positive(shape):
    return uniform(shape, 0.5, 2.0)


def away_from_zero(shape):
    """Values with |v| in [0.3, 1.5], so kinks (abs, relu) and poles (1/x) are far away."""
    sign = torch.where(torch.rand(shape, generator=GEN) < 0.5, -1.0, 1.0)
    return sign * uniform(shape, 0.3, 1.5)


def snake(name):
    if name == "tMax":
        return "T_max"  # PyTorch's one capitalised keyword
    return re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), name)


def torch_options(opts):
    return {snake(k): (tuple(v) if isinstance(v, list) else v) for k, v in opts.items()}


def write(name, cases, **extra):
    body = {"torch": torch.__version__, **extra, "cases": cases}
    # One case per line: small files, readable diffs.
    head = json.dumps({k: v for k, v in body.items() if k != "cases"})[:-1]
    lines = ",\n".join("    " + json.dumps(c, separators=(",", ":")) for c in cases)
    text = f'{head}, "cases": [\n{lines}\n]}}\n'
    json.loads(text)  # still valid JSON
    with open(os.path.join(OUT, name), "w") as f:
        f.write(text)
    print(f"{name}: {len(cases)} cases, {len(text)} bytes")


# ---------------------------------------------------------------- ops


def op_case(name, method, inputs, args=(), **meta):
    """`inputs[0].method(*args)`; args are numbers/lists or ("T", tensor) for tensor operands.

    Every tensor (inputs[0] and the tensor args) requires grad. The case records the
    output, the weight w and the gradient of (out * w).sum() for each tensor, in the
    order [self, tensor args...].
    """
    leaves = [inputs.detach().clone().requires_grad_(True)]
    call_args = []
    enc_args = []
    for a in args:
        if isinstance(a, tuple) and a[0] == "T":
            leaf = a[1].detach().clone().requires_grad_(True)
            leaves.append(leaf)
            call_args.append(leaf)
            enc_args.append({"tensor": enc(leaf)})
        else:
            call_args.append(a)
            enc_args.append(a)
    if method == "T":
        out = leaves[0].T
    else:
        out = getattr(leaves[0], method)(*call_args)
    case = {"name": name, "method": method, "self": enc(leaves[0]), "args": enc_args, **meta}
    if method == "max" and len(args) > 0:
        values, indices = out
        case["indices"] = enc(indices)
        out = values
    case["out"] = enc(out)
    if out.dim() == 0:
        out.backward()
    else:
        w = uniform(out.shape)
        case["w"] = enc(w)
        (out * w).sum().backward()
    case["grads"] = [enc(leaf.grad) for leaf in leaves]
    return case


def make_ops():
    cases = []
    T = lambda t: ("T", t)  # noqa: E731
    # Binary ops: same shape, broadcasting both ways, 0-d, and number operands.
    broadcasts = [
        ("[2,3] _ [2,3]", [2, 3], [2, 3]),
        ("[3,1] _ [1,4]", [3, 1], [1, 4]),
        ("[2,3,4] _ [4]", [2, 3, 4], [4]),
        ("[4] _ [2,3,4]", [4], [2, 3, 4]),
        ("[2,1,4] _ [3,1]", [2, 1, 4], [3, 1]),
        ("[2,3] _ []", [2, 3], []),
    ]
    for op in ["add", "sub", "mul", "div"]:
        for label, sa, sb in broadcasts:
            b = away_from_zero(sb) if op == "div" else uniform(sb)
            cases.append(op_case(f"{op} {label.replace('_', op)}", op, uniform(sa), [T(b)], operand="tensor"))
        for number in [2.5, -0.75]:
            cases.append(op_case(f"{op} [2,3] {op} number {number}", op, uniform([2, 3]), [number], operand="number"))
    for e in [2, 3, 0.5, -1, 1.7]:
        cases.append(op_case(f"pow {e} positive [3,4]", "pow", positive([3, 4]), [e]))
    for e in [2, 3]:
        cases.append(op_case(f"pow {e} mixed signs [3,4]", "pow", away_from_zero([3, 4]), [e]))
    for op in ["neg", "exp", "tanh", "sigmoid"]:
        cases.append(op_case(f"{op} [3,4]", op, uniform([3, 4], -2, 2)))
    for op in ["log", "sqrt"]:
        cases.append(op_case(f"{op} positive [3,4]", op, positive([3, 4])))
    for op in ["abs", "relu"]:
        cases.append(op_case(f"{op} [3,4]", op, away_from_zero([3, 4])))
    cases.append(op_case("exp [2,3,4]", "exp", uniform([2, 3, 4])))
    # matmul: 2-D is the core; the others follow torch.matmul's 1-D and batched rules.
    mm = [
        ("matmul [3,4]@[4,5]", [3, 4], [4, 5], "2d"),
        ("matmul [1,7]@[7,1]", [1, 7], [7, 1], "2d"),
        ("matmul [5,9]@[9,3]", [5, 9], [9, 3], "2d"),
        ("matmul [4]@[4,5]", [4], [4, 5], "1d"),
        ("matmul [3,4]@[4]", [3, 4], [4], "1d"),
        ("matmul [4]@[4]", [4], [4], "1d"),
        ("matmul [2,3,4]@[2,4,5]", [2, 3, 4], [2, 4, 5], "batched"),
        ("matmul [2,3,4]@[4,5]", [2, 3, 4], [4, 5], "batched"),
    ]
    for name, sa, sb, kind in mm:
        cases.append(op_case(name, "matmul", uniform(sa), [T(uniform(sb))], matmul=kind))
    for op in ["softmax", "log_softmax"]:
        camel = "logSoftmax" if op == "log_softmax" else op
        for dim in [0, 1, -1]:
            c = op_case(f"{camel}({dim}) [3,4]", op, uniform([3, 4], -3, 3), [dim])
            c["method"] = camel
            cases.append(c)
        c = op_case(f"{camel}(1) [2,3,4]", op, uniform([2, 3, 4], -3, 3), [1])
        c["method"] = camel
        cases.append(c)
    for op in ["sum", "mean"]:
        cases.append(op_case(f"{op}() [2,3,4]", op, uniform([2, 3, 4])))
        for dim in [0, 1, -1, [0, 2], [-1, 0]]:
            for keepdim in [False, True]:
                cases.append(op_case(f"{op}({json.dumps(dim)}, {str(keepdim).lower()}) [2,3,4]", op,
                                     uniform([2, 3, 4]), [dim, keepdim]))
        cases.append(op_case(f"{op}(1) [3,4] default keepdim", op, uniform([3, 4]), [1]))
    cases.append(op_case("max() [3,4]", "max", uniform([3, 4])))
    for dim in [0, 1, -1]:
        cases.append(op_case(f"max({dim}) [3,4]", "max", uniform([3, 4]), [dim]))
    cases.append(op_case("max(1) [2,3,4]", "max", uniform([2, 3, 4]), [1]))
    for shape in [[6, 4], [24], [4, -1], [2, 3, 2, 2], [-1]]:
        cases.append(op_case(f"reshape {json.dumps(shape)} of [2,3,4]", "reshape", uniform([2, 3, 4]), [shape]))
    cases.append(op_case("transpose(0,1) [3,4]", "transpose", uniform([3, 4]), [0, 1]))
    cases.append(op_case("transpose(1,0) [3,4]", "transpose", uniform([3, 4]), [1, 0]))
    cases.append(op_case("transpose(0,1) [2,3,4]", "transpose", uniform([2, 3, 4]), [0, 1]))
    cases.append(op_case("transpose(1,2) [2,3,4]", "transpose", uniform([2, 3, 4]), [1, 2]))
    cases.append(op_case("transpose(-1,0) [2,3,4]", "transpose", uniform([2, 3, 4]), [-1, 0]))
    cases.append(op_case("T [3,4]", "T", uniform([3, 4])))
    cases.append(op_case("T [1,5]", "T", uniform([1, 5])))
    # A small chain, so gradients flow through several rules and one input is used twice.
    cases.append(chain_case())
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "duplicate op case names"
    write("ops.json", cases)


def chain_case():
    """((x @ y).relu() + x.sum(1, keepdim)).softmax(-1) * x.exp().mean(): reuses x."""
    x = uniform([3, 4]).requires_grad_(True)
    y = uniform([4, 4]).requires_grad_(True)
    out = ((x @ y).relu() + x.sum(1, keepdim=True)).softmax(-1) * x.exp().mean()
    w = uniform(out.shape)
    (out * w).sum().backward()
    return {"name": "chain ((x@y).relu() + x.sum(1,true)).softmax(-1) * x.exp().mean()", "method": "chain",
            "self": enc(x), "args": [{"tensor": enc(y)}], "out": enc(out), "w": enc(w),
            "grads": [enc(x.grad), enc(y.grad)]}


# ---------------------------------------------------------------- losses


def make_losses():
    cases = []

    def loss_case(name, loss, inp, target, reduction, **meta):
        x = inp.detach().clone().requires_grad_(True)
        module = getattr(torch.nn, loss)(reduction=reduction)
        out = module(x, target)
        case = {"name": f"{name} reduction={reduction}", "loss": loss, "options": {"reduction": reduction},
                "input": enc(x), "target": enc(target), **meta}
        case["out"] = enc(out)
        if out.dim() == 0:
            out.backward()
        else:
            w = uniform(out.shape)
            case["w"] = enc(w)
            (out * w).sum().backward()
        case["grad"] = enc(x.grad)
        return case

    for reduction in ["mean", "sum", "none"]:
        cases.append(loss_case("MSELoss [4,3]", "MSELoss", uniform([4, 3]), uniform([4, 3]), reduction))
        cases.append(loss_case("MSELoss [5]", "MSELoss", uniform([5]), uniform([5]), reduction))
        cases.append(loss_case("L1Loss [4,3]", "L1Loss", uniform([4, 3]), uniform([4, 3]), reduction))
        cases.append(loss_case("CrossEntropyLoss [5,4]", "CrossEntropyLoss", uniform([5, 4], -2, 2),
                               torch.randint(0, 4, [5], generator=GEN), reduction))
        cases.append(loss_case("CrossEntropyLoss [1,3]", "CrossEntropyLoss", uniform([1, 3], -2, 2),
                               torch.tensor([2]), reduction))
        cases.append(loss_case("BCELoss [4,3] hard targets", "BCELoss", uniform([4, 3], 0.05, 0.95),
                               (torch.rand([4, 3], generator=GEN) < 0.5).float(), reduction))
        cases.append(loss_case("BCELoss [6] soft targets", "BCELoss", uniform([6], 0.05, 0.95),
                               torch.rand([6], generator=GEN), reduction))
        cases.append(loss_case("BCEWithLogitsLoss [4,3] hard targets", "BCEWithLogitsLoss", uniform([4, 3], -4, 4),
                               (torch.rand([4, 3], generator=GEN) < 0.5).float(), reduction))
        cases.append(loss_case("BCEWithLogitsLoss [6] soft targets, large logits", "BCEWithLogitsLoss",
                               torch.tensor([-30.0, -8.0, -0.5, 0.5, 8.0, 30.0]), torch.rand([6], generator=GEN),
                               reduction))
    write("losses.json", cases)


# ---------------------------------------------------------------- optimizers

STEPS = 12

OPTIMIZERS = {
    "SGD": [
        {"lr": 0.1},
        {"lr": 0.1, "momentum": 0.9},
        {"lr": 0.1, "momentum": 0.9, "nesterov": True},
        {"lr": 0.1, "momentum": 0.9, "dampening": 0.5, "weightDecay": 0.01},
        {"lr": 0.1, "momentum": 0.5, "maximize": True},
        {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weightDecay": 0.1, "maximize": True},
    ],
    "Adam": [
        {},
        {"lr": 0.01},
        {"lr": 0.01, "amsgrad": True},
        {"lr": 0.01, "weightDecay": 0.1},
        {"lr": 0.01, "maximize": True},
        {"lr": 0.01, "betas": [0.8, 0.99], "eps": 1e-6},
        {"lr": 0.01, "amsgrad": True, "weightDecay": 0.05, "maximize": True},
    ],
    "AdamW": [
        {},
        {"lr": 0.01},
        {"lr": 0.01, "amsgrad": True},
        {"lr": 0.01, "weightDecay": 0.1, "betas": [0.85, 0.995]},
    ],
    "Adagrad": [
        {},
        {"lr": 0.1},
        {"lr": 0.1, "lrDecay": 0.01, "weightDecay": 0.05, "initialAccumulatorValue": 0.1},
        {"lr": 0.1, "eps": 1e-6},
    ],
    "RMSprop": [
        {},
        {"lr": 0.01, "centered": True},
        {"lr": 0.01, "momentum": 0.9},
        {"lr": 0.01, "centered": True, "momentum": 0.9, "weightDecay": 0.05},
        {"lr": 0.01, "alpha": 0.9, "eps": 1e-6},
    ],
}


def run_optimizer(name, options, groups=None, skip=None):
    """Two parameters ([2,3] and [4]); gradients given per step; `skip` = {param: steps without grad}."""
    skip = skip or {}
    init = [uniform([2, 3]), uniform([4])]
    grads = [[uniform(p.shape) for p in init] for _ in range(STEPS)]
    for p_index, steps in skip.items():
        for s in steps:
            grads[s][p_index] = None
    params = [p.clone().requires_grad_(True) for p in init]
    opt_cls = getattr(torch.optim, name)
    if groups is None:
        opt = opt_cls(params, **torch_options(options))
    else:
        opt = opt_cls([{"params": [params[i] for i in g["params"]], **torch_options(g["options"])} for g in groups],
                      **torch_options(options))
    trajectory = []
    for step in range(STEPS):
        for p, g in zip(params, grads[step]):
            p.grad = None if g is None else g.clone()
        opt.step()
        trajectory.append([enc(p) for p in params])
    label = json.dumps(options, separators=(", ", ": ")).replace('"', "")
    case = {"name": f"{name} {label}", "optimizer": name, "options": options, "params": [enc(p) for p in init],
            "grads": [[None if g is None else enc(g) for g in step] for step in grads], "trajectory": trajectory}
    if groups is not None:
        case["groups"] = groups
        case["name"] += " groups " + json.dumps(groups, separators=(",", ":")).replace('"', "")
    if skip:
        case["name"] += " (param 1 without grad at steps " + ",".join(str(s) for s in skip[1]) + ")"
    return case


def make_optimizers():
    cases = []
    for name, option_sets in OPTIMIZERS.items():
        for options in option_sets:
            cases.append(run_optimizer(name, options))
    # Parameter groups with their own options, over the constructor's defaults.
    cases.append(run_optimizer("SGD", {"lr": 0.1, "momentum": 0.9},
                               groups=[{"params": [0], "options": {}}, {"params": [1], "options": {"lr": 0.01, "momentum": 0.5}}]))
    cases.append(run_optimizer("Adam", {"lr": 0.01},
                               groups=[{"params": [0], "options": {"amsgrad": True}},
                                       {"params": [1], "options": {"lr": 0.05, "betas": [0.5, 0.9]}}]))
    # A parameter whose grad is None is skipped: its state (step count, moments) does not advance.
    for name, options in [("SGD", {"lr": 0.1, "momentum": 0.9}), ("Adam", {"lr": 0.01}),
                          ("AdamW", {"lr": 0.01}), ("Adagrad", {"lr": 0.1, "lrDecay": 0.1}),
                          ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5})]:
        cases.append(run_optimizer(name, options, skip={1: [0, 4, 5]}))
    write("optimizers.json", cases, steps=STEPS)


# ---------------------------------------------------------------- schedulers

LAMBDAS = {
    # Each key is the TypeScript body of `(epoch) => ...`; test/pytorch-schedulers.test.ts rebuilds it.
    "0.95 ** epoch": lambda epoch: 0.95**epoch,
    "1 / (1 + 0.1 * epoch)": lambda epoch: 1 / (1 + 0.1 * epoch),
    "Math.min(1, (epoch + 1) / 5)": lambda epoch: min(1, (epoch + 1) / 5),
}

SCHEDULERS = [
    ("StepLR", {"stepSize": 5, "gamma": 0.5}),
    ("StepLR", {"stepSize": 3}),
    ("MultiStepLR", {"milestones": [3, 7, 12], "gamma": 0.3}),
    ("MultiStepLR", {"milestones": [5, 10]}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"tMax": 10, "etaMin": 0.001}),
    ("CosineAnnealingLR", {"tMax": 8}),
    ("LinearLR", {}),
    ("LinearLR", {"startFactor": 1.0, "endFactor": 0.2, "totalIters": 10}),
    ("LinearLR", {"startFactor": 0.25, "totalIters": 4}),
    ("OneCycleLR", {"maxLr": 0.5, "totalSteps": 30}),
    ("OneCycleLR", {"maxLr": 0.5, "epochs": 5, "stepsPerEpoch": 6}),
    ("OneCycleLR", {"maxLr": 0.5, "totalSteps": 30, "pctStart": 0.4, "annealStrategy": "linear", "divFactor": 10,
                    "finalDivFactor": 100, "threePhase": True}),
    ("OneCycleLR", {"maxLr": 0.5, "totalSteps": 30, "cycleMomentum": False}),
    ("ReduceLROnPlateau", {"mode": "min", "factor": 0.5, "patience": 2, "threshold": 1e-4}),
    ("ReduceLROnPlateau", {}),
    ("ReduceLROnPlateau", {"mode": "max", "factor": 0.3, "patience": 1, "threshold": 0.05,
                           "thresholdMode": "abs", "cooldown": 2, "minLr": 0.01}),
    ("LambdaLR", {"lrLambda": "0.95 ** epoch"}),
    ("LambdaLR", {"lrLambda": "1 / (1 + 0.1 * epoch)"}),
    ("LambdaLR", {"lrLambda": "Math.min(1, (epoch + 1) / 5)"}),
]

SCHED_STEPS = 25


def metrics_sequence(mode):
    """Improves, stalls, improves by less than the threshold, stalls again..."""
    base = [1.0, 0.9, 0.8, 0.8, 0.81, 0.79, 0.7999, 0.7, 0.7, 0.7, 0.7, 0.69995, 0.6, 0.65, 0.62, 0.61, 0.6,
            0.55, 0.55, 0.56, 0.57, 0.58, 0.4, 0.4, 0.4]
    return base if mode == "min" else [1 - v for v in base]


def run_scheduler(name, options, lrs=(0.1,)):
    params = [torch.zeros(2, requires_grad=True) for _ in lrs]
    momentum = 0.9
    opt = torch.optim.SGD([{"params": [p], "lr": lr} for p, lr in zip(params, lrs)], lr=lrs[0], momentum=momentum)
    topts = torch_options(options)
    if name == "LambdaLR":
        topts["lr_lambda"] = LAMBDAS[options["lrLambda"]]
    sched = getattr(torch.optim.lr_scheduler, name)(opt, **topts)
    steps = SCHED_STEPS
    if name == "OneCycleLR":
        total = options.get("totalSteps") or options["epochs"] * options["stepsPerEpoch"]
        steps = total - 1  # PyTorch raises on the step past totalSteps
    metrics = metrics_sequence(options.get("mode", "min"))[:steps] if name == "ReduceLROnPlateau" else None
    current = lambda: [g["lr"] for g in opt.param_groups]  # noqa: E731
    lr_seq = [current()]
    mom_seq = [[g["momentum"] for g in opt.param_groups]]
    for step in range(steps):
        for p in params:
            p.grad = torch.ones_like(p)
        opt.step()
        if metrics is not None:
            sched.step(metrics[step])
        else:
            sched.step()
            assert sched.get_last_lr() == current()
        lr_seq.append(current())
        mom_seq.append([g["momentum"] for g in opt.param_groups])
    label = json.dumps(options, separators=(", ", ": ")).replace('"', "")
    case = {"name": f"{name} {label}" + ("" if len(lrs) == 1 else f" lrs {list(lrs)}"), "scheduler": name,
            "options": options, "optimizer": {"name": "SGD", "lrs": list(lrs), "momentum": momentum},
            "steps": steps, "lr": lr_seq}
    if metrics is not None:
        case["metrics"] = metrics
    if name == "OneCycleLR":
        case["momentum"] = mom_seq
    return case


def make_schedulers():
    cases = [run_scheduler(name, options) for name, options in SCHEDULERS]
    cases.append(run_scheduler("StepLR", {"stepSize": 4, "gamma": 0.5}, lrs=(0.1, 0.02)))
    cases.append(run_scheduler("CosineAnnealingLR", {"tMax": 6, "etaMin": 0.001}, lrs=(0.1, 0.02)))
    write("schedulers.json", cases)


# ---------------------------------------------------------------- clip_grad


def make_clip():
    cases = []
    for norm_type in [2, 1, "inf"]:
        for max_norm in [0.5, 100.0]:
            params = [torch.zeros(2, 3, requires_grad=True), torch.zeros(4, requires_grad=True)]
            grads = [uniform([2, 3], -2, 2), uniform([4], -2, 2)]
            for p, g in zip(params, grads):
                p.grad = g.clone()
            t = math.inf if norm_type == "inf" else norm_type
            total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=t)
            cases.append({"name": f"clipGradNorm maxNorm={max_norm} normType={norm_type}", "fn": "clipGradNorm",
                          "maxNorm": max_norm, "normType": norm_type, "grads": [enc(g) for g in grads],
                          "totalNorm": f32(total.item()), "clipped": [enc(p.grad) for p in params]})
    for clip_value in [0.3, 5.0]:
        params = [torch.zeros(2, 3, requires_grad=True), torch.zeros(4, requires_grad=True)]
        grads = [uniform([2, 3], -2, 2), uniform([4], -2, 2)]
        for p, g in zip(params, grads):
            p.grad = g.clone()
        torch.nn.utils.clip_grad_value_(params, clip_value)
        cases.append({"name": f"clipGradValue clipValue={clip_value}", "fn": "clipGradValue",
                      "clipValue": clip_value, "grads": [enc(g) for g in grads],
                      "clipped": [enc(p.grad) for p in params]})
    write("clip.json", cases)


# ---------------------------------------------------------------- MLP


MODELS = [
    # (name, layers, loss, batch); layers are rebuilt by test/pytorch-nn.test.ts.
    ("MLP 4-5-3, CrossEntropyLoss, batch 6",
     [{"type": "Linear", "in": 4, "out": 5}, {"type": "ReLU"}, {"type": "Linear", "in": 5, "out": 3}],
     "CrossEntropyLoss", 6),
    ("MLP 10-8-4, CrossEntropyLoss, batch 16",
     [{"type": "Linear", "in": 10, "out": 8}, {"type": "ReLU"}, {"type": "Linear", "in": 8, "out": 4}],
     "CrossEntropyLoss", 16),
    ("Linear-Tanh-Dropout(eval)-Linear(no bias)-Sigmoid, BCELoss, batch 5",
     [{"type": "Linear", "in": 3, "out": 6}, {"type": "Tanh"}, {"type": "Dropout", "p": 0.5},
      {"type": "Linear", "in": 6, "out": 4, "bias": False}, {"type": "Sigmoid"}],
     "BCELoss", 5),
    ("Linear-Sigmoid-Linear-Softmax(1), MSELoss, batch 4",
     [{"type": "Linear", "in": 5, "out": 4}, {"type": "Sigmoid"}, {"type": "Linear", "in": 4, "out": 3},
      {"type": "Softmax", "dim": 1}],
     "MSELoss", 4),
]


def torch_layer(spec):
    kind = spec["type"]
    if kind == "Linear":
        return torch.nn.Linear(spec["in"], spec["out"], bias=spec.get("bias", True))
    if kind == "Dropout":
        return torch.nn.Dropout(p=spec["p"])
    if kind == "Softmax":
        return torch.nn.Softmax(dim=spec["dim"])
    return getattr(torch.nn, kind)()


def make_mlp():
    """Sequential models with given weights (loaded through the state dict) and a given batch.

    Models with Dropout run in eval mode (Dropout is then the identity), so the values
    are deterministic.
    """
    cases = []
    for name, layers, loss_name, batch in MODELS:
        model = torch.nn.Sequential(*[torch_layer(spec) for spec in layers])
        train = not any(spec["type"] == "Dropout" for spec in layers)
        model.train(train)
        state = {k: uniform(v.shape) for k, v in model.state_dict().items()}
        model.load_state_dict(state)
        n_in, n_out = layers[0]["in"], [spec for spec in layers if spec["type"] == "Linear"][-1]["out"]
        x = uniform([batch, n_in], -2, 2)
        if loss_name == "CrossEntropyLoss":
            y = torch.randint(0, n_out, [batch], generator=GEN)
        else:
            y = torch.rand([batch, n_out], generator=GEN)
        criterion = getattr(torch.nn, loss_name)()
        out = model(x)
        loss = criterion(out, y)
        loss.backward()
        case = {"name": name, "layers": layers, "train": train, "loss": loss_name,
                "stateDict": {k: enc(v) for k, v in state.items()}, "x": enc(x), "y": enc(y),
                "out": enc(out), "value": f32(loss.item()),
                "grads": {k: enc(p.grad) for k, p in model.named_parameters()}}
        # Then a few full-batch SGD steps with momentum from those weights.
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        losses = []
        for _ in range(5):
            opt.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            opt.step()
            losses.append(f32(loss.item()))
        case["sgd"] = {"options": {"lr": 0.1, "momentum": 0.9}, "losses": losses,
                       "stateDict": {k: enc(v) for k, v in model.state_dict().items()}}
        cases.append(case)
    write("mlp.json", cases)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    make_ops()
    make_losses()
    make_optimizers()
    make_schedulers()
    make_clip()
    make_mlp()
