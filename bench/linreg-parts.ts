// Where one step of the tutorial's linear regression spends its time, on one backend:
//   npx tsx --conditions=source bench/linreg-parts.ts [native|wasm|js]
// prints the µs per step of the whole step, of its kernel calls made directly on the
// backend (with their output allocations, no tensors or graph), and of the whole step
// with every kernel a no-op (tensors, autograd and the optimizer alone). With
// `--calls n` it instead makes n calls of `sub` on 100 floats, for an instruction
// profile of one call: run it under `valgrind --tool=callgrind` with n = 0 and
// n = 200000, and divide the difference.
import { type BackendName, manualSeed, nn, optim, randn, setBackend, tensor } from "descent";
import type { Backend } from "../ts/backend/backend.js";
import { activeBackend } from "../ts/backend/select.js";
import { linreg, measure } from "./measure.js";

const backendName = (process.argv.find((a) => ["native", "wasm", "js"].includes(a)) ?? "native") as BackendName;
const callsFlag = process.argv.indexOf("--calls");
await setBackend(backendName);
const backend: Backend = activeBackend();

if (callsFlag !== -1) {
  const calls = Number(process.argv[callsFlag + 1]);
  const [a, b, out] = [backend.alloc(100), backend.alloc(100), backend.alloc(100)];
  for (let i = 0; i < calls; i++) backend.binary("sub", a, b, out);
} else {
  manualSeed(42);
  const x = randn([linreg.rows, 2]);
  const y = x.matmul(tensor([[2], [3]])).add(randn([linreg.rows, 1]).mul(0.1));
  const model = new nn.Linear(2, 1);
  const criterion = new nn.MSELoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: linreg.lr });
  const step = () => {
    optimizer.zeroGrad();
    criterion.forward(model.forward(x), y).backward();
    optimizer.step();
  };

  // The calls one step makes: forward, the loss with its gradient, dW and db, two updates.
  const [xs, ys] = [x.storageFor("bench"), y.storageFor("bench")];
  const [w, bias, empty] = [backend.alloc(2), backend.alloc(1), backend.alloc(0)];
  const sgd = { lr: linreg.lr, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
  const options = { ...sgd, firstStep: false };
  const calls = () => {
    const out = backend.alloc(linreg.rows);
    backend.linearForward(xs, w, bias, out, linreg.rows, 2, 1, false);
    const gradOut = backend.alloc(linreg.rows);
    const loss = backend.alloc(1);
    backend.fill(loss, backend.squaredError(out, ys, gradOut, 2 / linreg.rows) / linreg.rows);
    const [gw, gb] = [backend.alloc(2), backend.alloc(1)];
    backend.linearBackward(gradOut, xs, w, null, gw, gb, linreg.rows, 2, 1);
    backend.sgdStep(w, gw, empty, options);
    backend.sgdStep(bias, gb, empty, options);
  };

  const rows: [string, () => void][] = [
    ["whole step", step],
    ["its kernel calls alone", calls],
  ];
  const report = async (what: string, fn: () => void) => {
    const cell = await measure(fn);
    const us = "skipped" in cell ? cell.skipped : `${(cell.bestMs * 1000).toFixed(2)} µs`;
    console.log(`| ${what} | ${us} |`);
  };
  console.log(`linear regression step on ${backendName} (fastest repetition)\n\n| part | per step |\n| --- | --- |`);
  for (const [what, fn] of rows) await report(what, fn);
  // Last: from here on every kernel does nothing.
  const kernels = ["linearForward", "linearBackward", "sgdStep", "fill"] as const;
  for (const k of kernels) (backend as unknown as Record<string, () => void>)[k] = () => {};
  backend.squaredError = () => 1;
  await report("whole step, kernels as no-ops", step);
}
