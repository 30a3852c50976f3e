// descent on one backend, in its own process: `descent.ts native|wasm|js [threads]`.
// With DESCENT_WASM_SIMD set, the wasm backend's other build, as a column of its own.
import * as os from "node:os";
import * as descent from "descent";
import { type BackendName, backendInfo, manualSeed, nn, optim, randn, setBackend, type Tensor, tensor } from "descent";
import { matmulStored } from "../ts/ops/matmul.js";
import { type Cell, linreg, measure, mlp, runChild, type Skipped, sgemmCases, sgemmFlop } from "./measure.js";

// The thread API is looked up at run time: a build without it is reported, not faked.
const threadApi = descent as unknown as { setNumThreads?: (n: number) => void; getNumThreads?: () => number };

const backend = (process.argv[2] ?? "native") as BackendName;
const threads = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
await setBackend(backend);
manualSeed(0);

const info: Record<string, unknown> = { cpus: os.cpus().length };
let system = `descent ${backend}`;
// Only SGEMM for a forced wasm build: the builds differ in matrix products alone.
const wasmBuild = backend === "wasm" ? process.env.DESCENT_WASM_SIMD : undefined;
if (wasmBuild) system += ` ${wasmBuild}`;
let missing: string | undefined;
if (threads !== undefined) {
  system += ` ${threads}t`;
  if (threadApi.setNumThreads && threadApi.getNumThreads) {
    threadApi.setNumThreads(threads);
    info.threads = threadApi.getNumThreads();
  } else if (threads === 1) {
    info.note = "threads: API missing (setNumThreads not exported); measured once at the addon's default";
  } else {
    missing = "threads: API missing";
  }
}

info.backend = backendInfo(); // after setNumThreads, so it reports the threads in use

/** SGEMM through the same entry that autograd's backward uses: transposed operands are read in place. */
function sgemm(n: number, transA: boolean, transB: boolean): () => void {
  const a = descent.rand([n, n]).sub(0.5);
  const b = descent.rand([n, n]).sub(0.5);
  return () => matmulStored(a, b, transA, transB).dispose();
}

function mlpStep(kind: "sgd" | "adam"): () => void {
  const [d0, d1, d2, d3] = mlp.sizes;
  const model = new nn.Sequential(
    new nn.Linear(d0, d1),
    new nn.ReLU(),
    new nn.Linear(d1, d2),
    new nn.ReLU(),
    new nn.Linear(d2, d3),
  );
  const x = randn([mlp.batch, d0]);
  const labels = tensor(Array.from({ length: mlp.batch }, (_, i) => (i * 7) % d3));
  const criterion = new nn.CrossEntropyLoss();
  const optimizer =
    kind === "sgd"
      ? new optim.SGD(model.parameters(), { lr: mlp.sgdLr })
      : new optim.Adam(model.parameters(), { lr: mlp.adamLr });
  return () => {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(x), labels);
    loss.backward();
    optimizer.step();
  };
}

/** The tutorial's loop (README, examples/linear-regression.ts) without its printing: one call is all 1000 steps. */
function linearRegression(): () => void {
  const x = randn([linreg.rows, 2]);
  const y: Tensor = x.matmul(tensor([[2], [3]])).add(randn([linreg.rows, 1]).mul(0.1));
  const model = new nn.Linear(2, 1);
  const criterion = new nn.MSELoss();
  const optimizer = new optim.SGD(model.parameters(), { lr: linreg.lr });
  return () => {
    for (let epoch = 1; epoch <= linreg.steps; epoch++) {
      optimizer.zeroGrad();
      const loss = criterion.forward(model.forward(x), y);
      loss.backward();
      optimizer.step();
    }
  };
}

const cell = (make: () => () => void, flop?: number) => async (): Promise<Cell | Skipped> =>
  missing ? { skipped: missing } : measure(make(), flop);

await runChild(system, info, [
  ...sgemmCases.map((c) => [c.key, cell(() => sgemm(c.n, c.transA, c.transB), sgemmFlop(c.n))] as const),
  ...(wasmBuild
    ? []
    : ([
        ["mlp SGD step", cell(() => mlpStep("sgd"))],
        ["mlp Adam step", cell(() => mlpStep("adam"))],
        [`linreg ${linreg.steps} steps`, cell(linearRegression)],
      ] as const)),
]);
