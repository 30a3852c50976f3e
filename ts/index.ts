/** descent: gradient-descent training for TypeScript, with PyTorch's API. */

export * as autograd from "./autograd/gradcheck.js";
export { noGrad } from "./autograd/graph.js";
export type { BackendName } from "./backend/backend.js";
export {
  type BackendAttempt,
  type BackendInfo,
  backendInfo,
  getBackend,
  getNumThreads,
  ready,
  setBackend,
  setNumThreads,
} from "./backend/select.js";
export { arange, full, ones, type RandomOptions, rand, randn, type TensorOptions, tensor, zeros } from "./creation.js";
export * as data from "./data/index.js";
export { load, save } from "./io/index.js";
export * as nn from "./nn/index.js";
export { add, div, mul, neg, sub } from "./ops/binary.js";
export { reshape, transpose } from "./ops/layout.js";
export { matmul } from "./ops/matmul.js";
export { type MaxResult, max, mean, sum } from "./ops/reduce.js";
export { logSoftmax, softmax } from "./ops/softmax.js";
export { abs, exp, log, pow, relu, sigmoid, sqrt, tanh } from "./ops/unary.js";
export * as optim from "./optim/index.js";
export { Generator, manualSeed } from "./random.js";
export type { NestedNumberArray } from "./shape.js";
export { Tensor } from "./tensor.js";
