import type { Tensor } from "../tensor.js";

/** Numbers the backward passes, so a tensor's `backwardPass` says whether this pass has reached it. */
let passes = 0;

/**
 * Every tensor reachable from `root` through grad functions, outputs before their inputs,
 * each marked as reached by `pass` and with no gradient pending yet.
 */
function topologicalOrder(root: Tensor, pass: number): Tensor[] {
  const order: Tensor[] = [];
  root.backwardPass = pass;
  root.pendingGrad = null;
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
      if (input.requiresGrad && input.backwardPass !== pass) {
        input.backwardPass = pass;
        input.pendingGrad = null;
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
 * `retain_graph`. Gradients waiting for a tensor's node ride on the tensor itself
 * rather than in a Map: the tutorial's step is a few microseconds, and hashing showed.
 */
export function runBackward(root: Tensor, seed: Tensor): void {
  const order = topologicalOrder(root, ++passes);
  root.pendingGrad = seed;
  for (const tensor of order) {
    const grad = tensor.pendingGrad;
    if (grad === null) continue;
    tensor.pendingGrad = null;
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
      const earlier = input.pendingGrad;
      if (earlier === null) {
        input.pendingGrad = g;
      } else {
        earlier.addInPlace(g);
        g.dispose();
      }
    }
    tensor.releaseGraph();
  }
}
