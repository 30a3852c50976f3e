// 100,000 training steps in one synchronous loop leave wasm linear memory and the
// process's RSS flat: intermediate gradients are freed by backward, and the other
// temporaries by the garbage collector (native, js) or by spilling out of linear
// memory once it runs over budget (wasm), where finalizers would never get to run.
import { expect, test } from "vitest";
import { activeBackend } from "../ts/backend/select.js";
import { manualSeed, nn, optim, randn, setBackend, tensor } from "../ts/index.js";

function train(steps: number, onCheckpoint: (step: number) => void): void {
  manualSeed(1);
  const x = randn([100, 2]);
  const y = x.matmul(tensor([[2], [3]]));
  const model = new nn.Linear(2, 1);
  const optimizer = new optim.SGD(model.parameters(), { lr: 0.01, momentum: 0.9 });
  const criterion = new nn.MSELoss();
  for (let step = 1; step <= steps; step++) {
    optimizer.zeroGrad();
    criterion.forward(model.forward(x), y).backward();
    optimizer.step();
    if (step % 10_000 === 0) onCheckpoint(step);
  }
}

const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

test.each(["wasm", "native"] as const)("100,000 steps on %s keep memory flat", async (name) => {
  await setBackend(name);
  const backend = activeBackend() as ReturnType<typeof activeBackend> & { memoryBytes?: () => number };
  const rss: number[] = [];
  const linear: number[] = [];
  const { gc } = globalThis;
  if (!gc) throw new Error("the memory test needs node --expose-gc (set in vitest.config.ts)");
  train(100_000, () => {
    gc();
    rss.push(process.memoryUsage().rss);
    if (backend.memoryBytes) linear.push(backend.memoryBytes());
  });
  // Checkpoints come every 10,000 steps; the first four are warm-up: the JavaScript heap
  // settles on its size, and wasm's resident storages grow to their budget, more slowly
  // the more of them backward frees. A leak of 300 bytes a step would add 17 MiB after that.
  const warmedUp = 3;
  const rssGrowth = (rss.at(-1) as number) - (rss[warmedUp] as number);
  expect(rssGrowth, `RSS (MiB) at each checkpoint: ${rss.map(mib).join(", ")}`).toBeLessThan(16 * 2 ** 20);
  if (name === "wasm") {
    expect(linear.length).toBe(10);
    // A leak of the step's temporaries would add ~70 MiB; allocator fragmentation may add a page or two.
    const growth = (linear.at(-1) as number) - (linear[warmedUp] as number);
    expect(growth, `wasm memory: ${linear.map(mib).join(", ")} MiB`).toBeLessThan(2 ** 20);
  }
});
