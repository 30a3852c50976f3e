// A small neural network classifying the three iris species: 4 measurements → 16 hidden
// ReLU units → 3 logits, trained with CrossEntropyLoss and Adam on shuffled mini-batches.
// Every 5th flower is held out to measure accuracy.
import { backendInfo, data, Generator, manualSeed, nn, optim, tensor } from "descent";
import { accuracy, iris } from "./datasets.js";

const { train, test } = iris();
const loader = new data.DataLoader(new data.TensorDataset(train.x, tensor(train.labels)), {
  batchSize: 16,
  shuffle: true,
  generator: new Generator(0),
});

manualSeed(0);
const model = new nn.Sequential(new nn.Linear(4, 16), new nn.ReLU(), new nn.Linear(16, 3));
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 0.01 });

const epochs = 100;
const started = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  let total = 0;
  for (const [x, labels] of loader) {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(x), labels);
    loss.backward();
    optimizer.step();
    total += loss.item() * (x.shape[0] as number);
  }
  if (epoch % 20 === 0) console.log(`Epoch [${epoch}/${epochs}], Loss: ${(total / train.labels.length).toFixed(4)}`);
}
const elapsed = performance.now() - started;

model.eval();
console.log(`Train accuracy: ${(100 * accuracy(model, train.x, train.labels)).toFixed(1)}% of ${train.labels.length}`);
console.log(`Test accuracy: ${(100 * accuracy(model, test.x, test.labels)).toFixed(1)}% of ${test.labels.length}`);
console.log(
  `Backend: ${backendInfo().name}; ${epochs} epochs of ${loader.length} mini-batches took ${elapsed.toFixed(1)} ms`,
);
