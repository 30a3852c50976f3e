"""PyTorch and numpy/OpenBLAS peers, one library and thread count per process.

    /usr/bin/python3 bench/peers.py torch|numpy THREADS

The runner (main.ts) starts it with OPENBLAS_NUM_THREADS=THREADS and without
OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE. Same cases and method as bench/measure.ts; prints
one line `RESULT {json}`.
"""

import json
import os
import platform
import statistics
import sys
import time

SGEMM_SIZES = [64, 128, 256, 512, 1024]
TRANSPOSED = 512
MLP_SIZES = [784, 256, 128, 10]
BATCH = 128
LINREG_ROWS, LINREG_STEPS, LINREG_LR = 100, 1000, 0.01
MIN_REP_MS, REPS, MIN_REPS, BUDGET_MS, MAX_CALL_MS = 50, 7, 3, 4000, 3000


def sample(fn):
    """Warm up, size a repetition to >= MIN_REP_MS, then return per-call median and best in ms."""

    def batch(iters):
        start = time.perf_counter()
        for _ in range(iters):
            fn()
        return (time.perf_counter() - start) * 1000

    batch(1)
    once = batch(1)
    if once > MAX_CALL_MS:
        return {"skipped": f"one call takes {once / 1000:.1f} s (cap {MAX_CALL_MS / 1000} s)"}
    warm_iters = max(1, -(-MIN_REP_MS // max(once, 1e-3)))
    per_call = batch(int(warm_iters)) / warm_iters
    iters = int(max(1, -(-MIN_REP_MS // max(per_call, 1e-3))))
    reps = max(MIN_REPS, min(REPS, int(BUDGET_MS // max(per_call * iters, 1e-3))))
    times = [batch(iters) / iters for _ in range(reps)]
    return {"ms": statistics.median(times), "bestMs": min(times), "reps": reps, "iters": iters}


def cell(fn, flop=None):
    timing = sample(fn)
    if "skipped" in timing:
        return timing
    def figure(ms):
        return ms if flop is None else flop / (ms * 1e6)

    unit = "ms" if flop is None else "GFLOPS"
    return {"value": figure(timing["ms"]), "best": figure(timing["bestMs"]), "unit": unit, **timing}


def sgemm_cases():
    yield from ((f"sgemm {n}", n, False, False) for n in SGEMM_SIZES)
    yield f"sgemm {TRANSPOSED} Aᵀ·B", TRANSPOSED, True, False
    yield f"sgemm {TRANSPOSED} A·Bᵀ", TRANSPOSED, False, True


def numpy_cases():
    import numpy as np

    rng = np.random.default_rng(0)
    for key, n, ta, tb in sgemm_cases():
        a = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, n)).astype(np.float32)
        # .T is a view: numpy hands BLAS a transpose flag, no copy.
        yield key, (lambda a=a.T if ta else a, b=b.T if tb else b: a @ b), 2 * n**3


def torch_cases():
    import torch

    torch.manual_seed(0)
    for key, n, ta, tb in sgemm_cases():
        a = torch.rand(n, n) - 0.5
        b = torch.rand(n, n) - 0.5
        yield key, (lambda a=a.t() if ta else a, b=b.t() if tb else b: torch.mm(a, b)), 2 * n**3

    for name, make in (("SGD", lambda p: torch.optim.SGD(p, lr=0.01)), ("Adam", lambda p: torch.optim.Adam(p, lr=1e-3))):
        d0, d1, d2, d3 = MLP_SIZES
        model = torch.nn.Sequential(
            torch.nn.Linear(d0, d1), torch.nn.ReLU(), torch.nn.Linear(d1, d2), torch.nn.ReLU(), torch.nn.Linear(d2, d3)
        )
        x = torch.randn(BATCH, d0)
        labels = torch.tensor([(i * 7) % d3 for i in range(BATCH)])
        criterion = torch.nn.CrossEntropyLoss()
        optimizer = make(model.parameters())

        def step(model=model, x=x, labels=labels, criterion=criterion, optimizer=optimizer):
            optimizer.zero_grad()
            loss = criterion(model(x), labels)
            loss.backward()
            optimizer.step()

        yield f"mlp {name} step", step, None

    # The tutorial's linear regression, 1000 full-batch steps per call.
    x = torch.randn(LINREG_ROWS, 2)
    y = x @ torch.tensor([[2.0], [3.0]]) + 0.1 * torch.randn(LINREG_ROWS, 1)
    model = torch.nn.Linear(2, 1)
    criterion = torch.nn.MSELoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=LINREG_LR)

    def linreg():
        for _ in range(LINREG_STEPS):
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()

    yield f"linreg {LINREG_STEPS} steps", linreg, None


def main():
    lib, threads = sys.argv[1], int(sys.argv[2])
    env = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "OMP_WAIT_POLICY", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")
    info = {"python": platform.python_version(), **{name: os.environ.get(name) for name in env}}
    if lib == "torch":
        import torch

        torch.set_num_threads(threads)
        info.update(torch=torch.__version__, threads=torch.get_num_threads())
        cases = torch_cases()
    else:
        import numpy as np

        info.update(numpy=np.__version__)
        cases = numpy_cases()
    cells = {}
    for key, fn, flop in cases:
        try:
            cells[key] = cell(fn, flop)
        except Exception as error:  # a failing case is reported, not fatal
            cells[key] = {"skipped": f"failed: {error}"}
        shown = cells[key].get("value", cells[key].get("skipped"))
        print(f"  {lib} {threads}t {key}: {shown}", file=sys.stderr)
    print("RESULT " + json.dumps({"system": f"{lib} {threads}t", "info": info, "cells": cells}))


if __name__ == "__main__":
    main()
