import type { Tensor } from "../tensor.js";

/**
 * The order a tensor's gradient is complete in: every result is recorded after its
 * inputs, so once the results of every later node have run, nothing more can arrive.
 * Leaves come last, once everything has flowed into them.
 */
const priorityOf = (t: Tensor): number => t.gradFn?.sequence ?? -1;

/** Adds `t` to the max-heap `heap`, keyed by `priorityOf`. */
function push(heap: Tensor[], t: Tensor): void {
  let i = heap.length;
  heap.push(t);
  const priority = priorityOf(t);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const above = heap[parent] as Tensor;
    if (priorityOf(above) >= priority) break;
    heap[i] = above;
    i = parent;
  }
  heap[i] = t;
}

/** Removes and returns the tensor of highest priority from a non-empty heap. */
function pop(heap: Tensor[]): Tensor {
  const top = heap[0] as Tensor;
  const last = heap.pop() as Tensor;
  if (heap.length === 0) return top;
  const priority = priorityOf(last);
  let i = 0;
  for (;;) {
    let child = 2 * i + 1;
    if (child >= heap.length) break;
    const right = child + 1;
    if (right < heap.length && priorityOf(heap[right] as Tensor) > priorityOf(heap[child] as Tensor)) child = right;
    const below = heap[child] as Tensor;
    if (priorityOf(below) <= priority) break;
    heap[i] = below;
    i = child;
  }
  heap[i] = last;
  return top;
}

/**
 * Backpropagates `seed` (the gradient of `root`) through the graph, accumulating into
 * the `.grad` of leaves that require it. As PyTorch's engine, it runs the nodes
 * holding a gradient latest-recorded first, so it needs no traversal of the graph
 * beforehand. Intermediate gradients are freed as soon as they have been used, the
 * seed too unless `keepSeed` (a shared one, which `root` must not be a leaf to take),
 * and the graph is released afterwards, as PyTorch does without `retain_graph`.
 */
export function runBackward(root: Tensor, seed: Tensor, keepSeed: boolean): void {
  const waiting: Tensor[] = [];
  root.addPendingGrad(seed);
  push(waiting, root);
  try {
    while (waiting.length > 0) {
      const tensor = pop(waiting);
      const grad = tensor.takePendingGrad() as Tensor;
      const fn = tensor.gradFn;
      if (fn === null) {
        tensor.accumulateGrad(grad);
        continue;
      }
      const inputGrads = fn.backward(grad);
      if (grad !== seed || !keepSeed) grad.dispose();
      for (let i = 0; i < fn.inputs.length; i++) {
        const input = fn.inputs[i] as Tensor;
        const g = inputGrads[i];
        if (!g) continue;
        if (!input.requiresGrad) g.dispose();
        else if (input.addPendingGrad(g)) push(waiting, input);
      }
      tensor.releaseGraph(inputGrads);
    }
  } finally {
    // After a rule threw: nothing may stay pending for the next backward.
    for (const tensor of waiting) tensor.takePendingGrad()?.dispose();
  }
}
