export { Dropout, ReLU, Sigmoid, Softmax, Tanh } from "./activation.js";
export * as functional from "./functional.js";
export * as init from "./init.js";
export { Linear } from "./linear.js";
export { BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, type LossOptions, MSELoss } from "./loss.js";
export { type IncompatibleKeys, Module, Parameter, type StateValue } from "./module.js";
export { Sequential } from "./sequential.js";
export * as utils from "./utils.js";
