export { TensorDataset } from "./dataset.js";
export { DataLoader, type DataLoaderOptions } from "./loader.js";
