import type { Activation } from "../../backend/backend.js";
import type { Floats } from "./floats.js";

// `s` is what the forward pass saved: relu's input, sigmoid's and tanh's output. A switch
// rather than a table of functions, for the reason given in unary.ts.
function derivativeTimes(op: Activation, s: number, g: number): number {
  switch (op) {
    case "relu":
      // A selection, not a product: a NaN or infinite gradient where x <= 0 still gives 0.
      return s > 0 ? g : 0;
    case "sigmoid":
      return g * s * (1 - s);
    case "tanh":
      return g * (1 - s * s);
  }
}

const activations: readonly string[] = ["relu", "sigmoid", "tanh"] satisfies Activation[];

/** `out[i] = gradOut[i] · f'` for an activation f, from the value `saved` by its forward pass. */
export function activationBackward(op: Activation, saved: Floats, gradOut: Floats, out: Floats): void {
  if (!activations.includes(op)) {
    throw new Error(`activationBackward: unknown activation "${op}"; expected one of ${activations.join(", ")}`);
  }
  if (gradOut.length !== saved.length || out.length !== saved.length) {
    throw new Error(
      `activationBackward: saved has ${saved.length} elements, gradOut ${gradOut.length} and out ${out.length}; all must be equal`,
    );
  }
  for (let i = 0; i < saved.length; i++) out[i] = derivativeTimes(op, saved[i] as number, gradOut[i] as number);
}
