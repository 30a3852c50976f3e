import type { Tensor } from "../tensor.js";
import type { GradFn } from "./graph.js";

/** Every tensor reachable from `root` through grad functions, outputs before their inputs. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative, so a long chain of ops cannot overflow the call stack.
  const stack: [Tensor, boolean][] = [[root, false]];
  while (stack.length > 0) {
    const [tensor, expanded] = stack.pop() as [Tensor, boolean];
    if (expanded) {
      order.push(tensor);
      continue;
    }
    if (visited.has(tensor)) continue;
    visited.add(tensor);
    stack.push([tensor, true]);
    for (const input of tensor.gradFn?.inputs ?? [])
      if (input.requiresGrad && !visited.has(input)) stack.push([input, false]);
  }
  return order.reverse();
}

/**
 * Backpropagates `seed` (the gradient of `root`) through the graph, accumulating into
 * the `.grad` of leaves that require it. Intermediate gradients are freed as soon as
 * they have been used, and the graph is released afterwards, as PyTorch does without
 * `retain_graph`.
 */
export function runBackward(root: Tensor, seed: Tensor): void {
  const pending = new Map<Tensor, Tensor>([[root, seed]]);
  for (const tensor of topologicalOrder(root)) {
    const grad = pending.get(tensor);
    if (grad === undefined) continue;
    pending.delete(tensor);
    const fn: GradFn | null = tensor.gradFn;
    if (fn === null) {
      tensor.accumulateGrad(grad);
      continue;
    }
    const inputGrads = fn.backward(grad);
    grad.dispose();
    fn.inputs.forEach((input, i) => {
      const g = inputGrads[i];
      if (!g || !input.requiresGrad) {
        g?.dispose();
        return;
      }
      const earlier = pending.get(input);
      if (earlier === undefined) {
        pending.set(input, g);
      } else {
        earlier.addInPlace(g);
        g.dispose();
      }
    });
    tensor.releaseGraph();
  }
}
