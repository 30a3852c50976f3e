// The tutorial's linear regression: y = 2·x1 + 3·x2 + noise, fitted by full-batch
// gradient descent with nn.Linear, MSELoss and SGD. DESCENT_BACKEND=wasm or =js runs
// it on the other backends.
import { backendInfo, manualSeed, nn, optim, randn, tensor } from "descent";

manualSeed(42);
const x = randn([100, 2]);
const y = x.matmul(tensor([[2], [3]])).add(randn([100, 1]).mul(0.1));

const model = new nn.Linear(2, 1);
const criterion = new nn.MSELoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.01 });

const epochs = 1000;
const started = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  optimizer.zeroGrad();
  const loss = criterion.forward(model.forward(x), y);
  loss.backward();
  optimizer.step();
  if (epoch % 100 === 0) console.log(`Epoch [${epoch}/${epochs}], Loss: ${loss.item().toFixed(4)}`);
}
const elapsed = performance.now() - started;

const [w1, w2] = model.weight.toFloat32Array();
const info = backendInfo();
console.log(
  `Learned weight: [${w1?.toFixed(4)}, ${w2?.toFixed(4)}] (true: [2, 3]), bias: ${model.bias?.item().toFixed(4)}`,
);
console.log(`Backend: ${info.name} (simd: ${info.simd})`);
console.log(`${epochs} epochs took ${elapsed.toFixed(1)} ms (including printing the loss every 100 epochs)`);
