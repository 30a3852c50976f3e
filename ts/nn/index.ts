export * as functional from "./functional.js";
export { Linear } from "./linear.js";
export { type LossOptions, MSELoss } from "./loss.js";
export { Module, Parameter } from "./module.js";
