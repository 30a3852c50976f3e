// Logistic regression on a real binary task: telling iris versicolor from virginica by
// their four measurements. One linear layer gives a logit; BCEWithLogitsLoss fits it by
// full-batch gradient descent. Every 5th flower is held out to measure accuracy.
import { backendInfo, manualSeed, nn, optim, tensor } from "descent";
import { accuracy, iris } from "./datasets.js";

const { train, test } = iris([1, 2]); // label 0: versicolor, 1: virginica
const targets = tensor(train.labels.map((c) => [c]));

manualSeed(0);
const model = new nn.Linear(4, 1);
const criterion = new nn.BCEWithLogitsLoss();
const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });

const epochs = 500;
const started = performance.now();
for (let epoch = 1; epoch <= epochs; epoch++) {
  optimizer.zeroGrad();
  const loss = criterion.forward(model.forward(train.x), targets);
  loss.backward();
  optimizer.step();
  if (epoch % 100 === 0) console.log(`Epoch [${epoch}/${epochs}], Loss: ${loss.item().toFixed(4)}`);
}
const elapsed = performance.now() - started;

const features = ["sepal length", "sepal width", "petal length", "petal width"];
const weights = Array.from(model.weight.toFloat32Array(), (w, i) => `${features[i]} ${w.toFixed(3)}`);
console.log(`Learned weights (standardized features; positive means virginica): ${weights.join(", ")}`);
console.log(`Bias: ${model.bias?.item().toFixed(3)}`);
console.log(`Train accuracy: ${(100 * accuracy(model, train.x, train.labels)).toFixed(1)}% of ${train.labels.length}`);
console.log(`Test accuracy: ${(100 * accuracy(model, test.x, test.labels)).toFixed(1)}% of ${test.labels.length}`);
console.log(`Backend: ${backendInfo().name}; ${epochs} epochs took ${elapsed.toFixed(1)} ms`);
