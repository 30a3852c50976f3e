/** descent: gradient-descent training for TypeScript, with PyTorch's API. */

export { noGrad } from "./autograd/graph.js";
export type { BackendName } from "./backend/backend.js";
export { type BackendAttempt, type BackendInfo, backendInfo, getBackend, ready, setBackend } from "./backend/select.js";
export { arange, full, ones, type RandomOptions, rand, randn, type TensorOptions, tensor, zeros } from "./creation.js";
export * as nn from "./nn/index.js";
export { add, div, mul, neg, sub } from "./ops/binary.js";
export { matmul } from "./ops/matmul.js";
export { mean, sum } from "./ops/reduce.js";
export { reshape } from "./ops/reshape.js";
export * as optim from "./optim/index.js";
export { Generator, manualSeed } from "./random.js";
export type { NestedNumberArray } from "./shape.js";
export { Tensor } from "./tensor.js";
