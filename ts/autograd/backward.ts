import type { Tensor } from "../tensor.js";

/** Every tensor reachable from `root` through grad functions, outputs before their inputs. */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>([root]);
  // Iterative depth-first search, so a long chain of ops cannot overflow the call stack:
  // a tensor stays on the stack until every input that needs a gradient has been placed.
  const stack: Tensor[] = [root];
  const nextInput: number[] = [0];
  while (stack.length > 0) {
    const top = stack.length - 1;
    const tensor = stack[top] as Tensor;
    const inputs = tensor.gradFn?.inputs;
    let i = nextInput[top] as number;
    while (inputs !== undefined && i < inputs.length) {
      const input = inputs[i++] as Tensor;
      if (input.requiresGrad && !visited.has(input)) {
        visited.add(input);
        nextInput[top] = i;
        stack.push(input);
        nextInput.push(0);
        break;
      }
    }
    if (stack.length - 1 === top) {
      order.push(tensor);
      stack.pop();
      nextInput.pop();
    }
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
  const pending = new Map<Tensor, Tensor>();
  pending.set(root, seed);
  for (const tensor of topologicalOrder(root)) {
    const grad = pending.get(tensor);
    if (grad === undefined) continue;
    pending.delete(tensor);
    const fn = tensor.gradFn;
    if (fn === null) {
      tensor.accumulateGrad(grad);
      continue;
    }
    const inputGrads = fn.backward(grad);
    grad.dispose();
    for (let i = 0; i < fn.inputs.length; i++) {
      const input = fn.inputs[i] as Tensor;
      const g = inputGrads[i];
      if (!g) continue;
      if (!input.requiresGrad) {
        g.dispose();
        continue;
      }
      const earlier = pending.get(input);
      if (earlier === undefined) {
        pending.set(input, g);
      } else {
        earlier.addInPlace(g);
        g.dispose();
      }
    }
    tensor.releaseGraph();
  }
}
