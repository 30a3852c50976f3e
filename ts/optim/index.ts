export { Optimizer, type ParamGroup, type Params } from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
