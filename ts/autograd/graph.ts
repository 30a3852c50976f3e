import type { Tensor } from "../tensor.js";

/**
 * How a tensor was computed: its inputs and the rule that turns the gradient of the
 * output into gradients of the inputs (null for an input that needs none). Each rule
 * returns tensors it made itself, never `gradOutput`, so the engine owns and frees them:
 * a saved tensor among them too.
 */
export interface GradFn {
  readonly name: string;
  /** Recording order, as PyTorch's `sequence_nr`: a node's inputs were recorded before it. */
  readonly sequence: number;
  readonly inputs: readonly Tensor[];
  readonly backward: (gradOutput: Tensor) => (Tensor | null)[];
  /** Tensors the op made for `backward` alone, freed once it has run unless it returned them. */
  readonly saved?: readonly Tensor[];
}

let gradEnabled = true;
let recorded = 0;

/** Whether operations currently record the graph. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Runs `fn` without recording the graph, as `torch.no_grad()`. */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/**
 * Attaches `backward` to `output` when recording is on and some input requires a
 * gradient. `saved` are tensors the op made for `backward` alone, which nothing else
 * can reach: they are freed when the node has run, or at once when nothing is recorded,
 * so the next step reuses their storage.
 */
export function record(
  output: Tensor,
  name: string,
  inputs: readonly Tensor[],
  backward: (gradOutput: Tensor) => (Tensor | null)[],
  saved?: readonly Tensor[],
): Tensor {
  if (gradEnabled) {
    for (const input of inputs) {
      if (input.requiresGrad) {
        output.setGradFn({ name, sequence: recorded++, inputs, backward, saved });
        return output;
      }
    }
  }
  if (saved !== undefined) for (const t of saved) t.dispose();
  return output;
}
