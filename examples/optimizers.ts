// The tutorial's variants of gradient descent side by side on its linear regression
// (y = 2·x1 + 3·x2 + noise, 100 points): batch, stochastic and mini-batch gradient
// descent, then the update rules it names (momentum, Nesterov, Adagrad, RMSprop, Adam)
// on the same mini-batches. Every run starts from the same weights and sees the data in
// the same order; the table shows the loss on all 100 points after 1 and after all
// epochs, how far the weights ended from (2, 3), and the training time.
import { backendInfo, data, Generator, manualSeed, nn, noGrad, optim, randn, type Tensor, tensor } from "descent";

manualSeed(42);
const x = randn([100, 2]);
const y = x.matmul(tensor([[2], [3]])).add(randn([100, 1]).mul(0.1));
const dataset = new data.TensorDataset(x, y);
const criterion = new nn.MSELoss();
const epochs = 20;

interface Variant {
  name: string;
  batchSize: number;
  optimizer: (params: Tensor[]) => { step(): void; zeroGrad(): void };
}

const variants: Variant[] = [
  { name: "batch GD (SGD)", batchSize: 100, optimizer: (p) => new optim.SGD(p, { lr: 0.1 }) },
  { name: "stochastic GD (SGD)", batchSize: 1, optimizer: (p) => new optim.SGD(p, { lr: 0.01 }) },
  { name: "mini-batch GD (SGD)", batchSize: 10, optimizer: (p) => new optim.SGD(p, { lr: 0.05 }) },
  { name: "momentum", batchSize: 10, optimizer: (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9 }) },
  {
    name: "Nesterov",
    batchSize: 10,
    optimizer: (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true }),
  },
  { name: "Adagrad", batchSize: 10, optimizer: (p) => new optim.Adagrad(p, { lr: 0.5 }) },
  { name: "RMSprop", batchSize: 10, optimizer: (p) => new optim.RMSprop(p, { lr: 0.05 }) },
  { name: "Adam", batchSize: 10, optimizer: (p) => new optim.Adam(p, { lr: 0.1 }) },
];

const fullLoss = (model: nn.Linear) => noGrad(() => criterion.forward(model.forward(x), y).item());

const rows = variants.map(({ name, batchSize, optimizer }) => {
  manualSeed(0);
  const model = new nn.Linear(2, 1);
  const opt = optimizer(model.parameters());
  const loader = new data.DataLoader(dataset, { batchSize, shuffle: true, generator: new Generator(1) });
  let afterFirst = Number.NaN;
  const started = performance.now();
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (const [xb, yb] of loader) {
      opt.zeroGrad();
      criterion.forward(model.forward(xb), yb).backward();
      opt.step();
    }
    if (epoch === 1) afterFirst = fullLoss(model);
  }
  const ms = performance.now() - started;
  const [w1 = 0, w2 = 0] = model.weight.toFloat32Array();
  return {
    name,
    batchSize,
    steps: epochs * loader.length,
    afterFirst,
    final: fullLoss(model),
    error: Math.hypot(w1 - 2, w2 - 3),
    ms,
  };
});

const header = ["variant", "batch", "steps", "loss@1", `loss@${epochs}`, "|w-(2,3)|", "time ms"];
const table = [
  header,
  ...rows.map((r) => [
    r.name,
    String(r.batchSize),
    String(r.steps),
    r.afterFirst.toFixed(4),
    r.final.toFixed(4),
    r.error.toFixed(4),
    r.ms.toFixed(1),
  ]),
];
const widths = header.map((_, c) => Math.max(...table.map((row) => (row[c] as string).length)));
for (const row of table) {
  console.log(
    row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] as number) : cell.padStart(widths[c] as number))).join("  "),
  );
}
console.log(`Backend: ${backendInfo().name}; ${epochs} epochs each; loss is MSE over all 100 points`);
