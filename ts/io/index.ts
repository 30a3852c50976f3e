import { tensor } from "../creation.js";
import { Tensor } from "../tensor.js";
import { decodeSafetensors, encodeSafetensors, type StoredTensor } from "./safetensors.js";

export { decodeSafetensors, encodeSafetensors, type StoredTensor } from "./safetensors.js";

// node:fs is imported on first use, so importing descent stays possible in a browser.
const fs = () => import("node:fs/promises");

/**
 * Writes `stateDict` to `path` in the safetensors format (dtype F32, tensors sorted by
 * name), which `safetensors.torch.load_file` reads. The file is written under a
 * temporary name and renamed, so a crash never leaves a half-written file at `path`.
 */
export async function save(stateDict: Record<string, Tensor>, path: string): Promise<void> {
  if (typeof stateDict !== "object" || stateDict === null) {
    throw new Error(`save: stateDict must be an object of Tensors, got ${String(stateDict)}`);
  }
  const stored: [string, StoredTensor][] = [];
  for (const [name, t] of Object.entries(stateDict)) {
    if (!(t instanceof Tensor)) throw new Error(`save: stateDict["${name}"] is ${String(t)}, not a Tensor`);
    if (name === "__metadata__") throw new Error(`save: "${name}" is reserved by the safetensors format`);
    if (t.isDisposed) throw new Error(`save: stateDict["${name}"] was disposed`);
    stored.push([name, { shape: [...t.shape], values: t.toFloat32Array() }]);
  }
  const bytes = encodeSafetensors(Object.fromEntries(stored));
  const { rm, rename, writeFile } = await fs();
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new Error(`save: cannot write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Reads a safetensors file of F32 tensors into new tensors on the active backend. The
 * whole file is validated first: a truncated or corrupted file throws and loads nothing.
 */
export async function load(path: string): Promise<Record<string, Tensor>> {
  const { readFile } = await fs();
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new Error(`load: cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  const stored = decodeSafetensors(bytes, path);
  return Object.fromEntries(
    Object.entries(stored).map(([name, { shape, values }]) => [name, tensor(values, { shape })]),
  );
}
