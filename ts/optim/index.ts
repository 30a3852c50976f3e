export { Adagrad, type AdagradOptions } from "./adagrad.js";
export { Adam, type AdamOptions } from "./adam.js";
export { AdamW } from "./adamw.js";
export * as lrScheduler from "./lrScheduler/index.js";
export { Optimizer, type ParamGroup, type Params } from "./optimizer.js";
export type { SchedulerFields } from "./options.js";
export { RMSprop, type RMSpropOptions } from "./rmsprop.js";
export { SGD, type SGDOptions } from "./sgd.js";
export type { OptimizerStateDict, ParamStateDict } from "./stateDict.js";
