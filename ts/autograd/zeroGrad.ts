import type { Tensor } from "../tensor.js";

/**
 * Clears the gradients of `params`, as PyTorch's `zero_grad(set_to_none)`: by default
 * each `.grad` becomes null (PyTorch 2's default); with `setToNone` false each existing
 * gradient is zeroed in place (PyTorch 1's default), so the next backward accumulates
 * into the same storage instead of allocating a new one per parameter and step.
 */
export function zeroGrads(params: Iterable<Tensor>, setToNone: boolean): void {
  for (const p of params) {
    const grad = p.gradInternal();
    if (setToNone || grad === null || grad.isDisposed) p.dropGrad();
    else grad.backend.fill(grad.storageFor("zeroGrad"), 0);
  }
}
