// Handwritten digits: an MLP (784 pixels → 128 ReLU → 64 ReLU → 10 logits) trained with
// CrossEntropyLoss and Adam on shuffled mini-batches of the mnist package's images.
// Every 5th image is held out, and the accuracy on those is what the network learned.
import { backendInfo, data, Generator, manualSeed, nn, optim, tensor } from "descent";
import { accuracy, mnist } from "./datasets.js";

const { train, test } = mnist(Number.POSITIVE_INFINITY);
const loader = new data.DataLoader(new data.TensorDataset(train.x, tensor(train.labels)), {
  batchSize: 64,
  shuffle: true,
  generator: new Generator(0),
});
console.log(`${train.labels.length} training and ${test.labels.length} test images of 28x28 pixels`);

manualSeed(0);
const model = new nn.Sequential(
  new nn.Linear(784, 128),
  new nn.ReLU(),
  new nn.Linear(128, 64),
  new nn.ReLU(),
  new nn.Linear(64, 10),
);
const criterion = new nn.CrossEntropyLoss();
const optimizer = new optim.Adam(model.parameters(), { lr: 1e-3 });

const epochs = 8;
const started = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  model.train();
  let total = 0;
  for (const [x, labels] of loader) {
    optimizer.zeroGrad();
    const loss = criterion.forward(model.forward(x), labels);
    loss.backward();
    optimizer.step();
    total += loss.item() * (x.shape[0] as number);
  }
  model.eval();
  const testAccuracy = accuracy(model, test.x, test.labels);
  console.log(
    `Epoch [${epoch}/${epochs}], Loss: ${(total / train.labels.length).toFixed(4)}, test accuracy: ${(100 * testAccuracy).toFixed(1)}%`,
  );
}
const elapsed = performance.now() - started;

console.log(`Train accuracy: ${(100 * accuracy(model, train.x, train.labels)).toFixed(1)}% of ${train.labels.length}`);
console.log(`Test accuracy: ${(100 * accuracy(model, test.x, test.labels)).toFixed(1)}% of ${test.labels.length}`);
console.log(
  `Backend: ${backendInfo().name}; ${epochs} epochs of ${loader.length} mini-batches took ${(elapsed / 1000).toFixed(1)} s`,
);
