// TensorFlow.js on one backend, in its own process: `tfjs.ts cpu|wasm`.
import "@tensorflow/tfjs-backend-wasm";
import * as tf from "@tensorflow/tfjs";
import { linreg, measure, mlp, randomFloats, runChild, sgemmCases, sgemmFlop } from "./measure.js";

const backend = process.argv[2] ?? "cpu";
if (!(await tf.setBackend(backend))) throw new Error(`tfjs: backend ${backend} did not initialise`);
await tf.ready();
tf.randomUniform([1]).dispose();

const info = {
  tfjs: tf.version.tfjs,
  backend: tf.getBackend(),
  simd: backend === "wasm" ? await tf.env().getAsync("WASM_HAS_SIMD_SUPPORT") : undefined,
  threads: backend === "wasm" ? await tf.env().getAsync("WASM_HAS_MULTITHREAD_SUPPORT") : undefined,
};

function sgemm(n: number, transA: boolean, transB: boolean): () => void {
  const a = tf.tensor2d(randomFloats(n * n, 1), [n, n]);
  const b = tf.tensor2d(randomFloats(n * n, 2), [n, n]);
  return () => tf.matMul(a, b, transA, transB).dispose();
}

/** The same MLP with tf.variable weights; optimizer.minimize runs forward, tf's gradients and the update. */
function mlpStep(kind: "sgd" | "adam"): () => void {
  const [d0, d1, d2, d3] = mlp.sizes;
  const layer = (fanIn: number, fanOut: number) => {
    const bound = 1 / Math.sqrt(fanIn);
    return [tf.variable(tf.randomUniform([fanIn, fanOut], -bound, bound)), tf.variable(tf.zeros([fanOut]))] as const;
  };
  const [w1, b1] = layer(d0, d1);
  const [w2, b2] = layer(d1, d2);
  const [w3, b3] = layer(d2, d3);
  const x = tf.randomNormal([mlp.batch, d0]);
  const labels = tf.oneHot(
    tf.tensor1d(
      Array.from({ length: mlp.batch }, (_, i) => (i * 7) % d3),
      "int32",
    ),
    d3,
  );
  const optimizer = kind === "sgd" ? tf.train.sgd(mlp.sgdLr) : tf.train.adam(mlp.adamLr);
  const loss = () => {
    const h1 = tf.relu(tf.add(tf.matMul(x, w1), b1));
    const h2 = tf.relu(tf.add(tf.matMul(h1, w2), b2));
    return tf.losses.softmaxCrossEntropy(labels, tf.add(tf.matMul(h2, w3), b3)) as tf.Scalar;
  };
  return () => optimizer.minimize(loss, false);
}

/** The tutorial's linear regression with tf's SGD optimizer: one call is all 1000 steps. */
function linearRegression(): () => void {
  const x = tf.randomNormal([linreg.rows, 2]);
  const y = tf.tidy(() =>
    tf.add(tf.matMul(x, tf.tensor2d([[2], [3]])), tf.mul(tf.randomNormal([linreg.rows, 1]), 0.1)),
  );
  const w = tf.variable(tf.randomUniform([2, 1], -0.7, 0.7));
  const b = tf.variable(tf.zeros([1]));
  const optimizer = tf.train.sgd(linreg.lr);
  const loss = () => tf.losses.meanSquaredError(y, tf.add(tf.matMul(x, w), b)) as tf.Scalar;
  return () => {
    for (let step = 0; step < linreg.steps; step++) optimizer.minimize(loss, false);
  };
}

await runChild(`tfjs ${backend}`, info, [
  ...sgemmCases.map((c) => [c.key, () => measure(sgemm(c.n, c.transA, c.transB), sgemmFlop(c.n))] as const),
  ["mlp SGD step", () => measure(mlpStep("sgd"))],
  ["mlp Adam step", () => measure(mlpStep("adam"))],
  [`linreg ${linreg.steps} steps`, () => measure(linearRegression())],
]);
