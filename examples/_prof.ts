import { manualSeed, nn, optim, randn, setBackend, tensor } from "descent";

await setBackend((process.argv[2] ?? "wasm") as "wasm");
manualSeed(1);
const x = randn([100, 2]);
const y = x.matmul(tensor([[2], [3]]));
const model = new nn.Linear(2, 1);
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });
const criterion = new nn.MSELoss();
for (let rep = 0; rep < 20; rep++) {
  const t = performance.now();
  for (let step = 1; step <= 1000; step++) {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(x), y);
    loss.backward();
    optimizer.step();
    if (step % 100 === 0) loss.item();
  }
  console.log(rep, (performance.now() - t).toFixed(1), "ms / 1000 steps");
}
