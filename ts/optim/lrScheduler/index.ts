export { CosineAnnealingLR, type CosineAnnealingLROptions } from "./cosineAnnealingLR.js";
export { LambdaLR, type LambdaLROptions, type LrLambda } from "./lambdaLR.js";
export { LinearLR, type LinearLROptions } from "./linearLR.js";
export { OneCycleLR, type OneCycleLROptions } from "./oneCycleLR.js";
export { ReduceLROnPlateau, type ReduceLROnPlateauOptions } from "./reduceLROnPlateau.js";
export { LRScheduler } from "./scheduler.js";
export {
  ExponentialLR,
  type ExponentialLROptions,
  MultiStepLR,
  type MultiStepLROptions,
  StepLR,
  type StepLROptions,
} from "./stepLR.js";
