import type { Activation } from "../../backend/backend.js";
import type { Floats } from "./floats.js";

// `s` is what the forward pass saved: relu's input, sigmoid's and tanh's output.
const derivativeTimes: Record<Activation, (s: number, g: number) => number> = {
  // A selection, not a product: a NaN or infinite gradient where x <= 0 still gives 0.
  relu: (x, g) => (x > 0 ? g : 0),
  sigmoid: (y, g) => g * y * (1 - y),
  tanh: (y, g) => g * (1 - y * y),
};

/** `out[i] = gradOut[i] · f'` for an activation f, from the value `saved` by its forward pass. */
export function activationBackward(op: Activation, saved: Floats, gradOut: Floats, out: Floats): void {
  const f = derivativeTimes[op];
  if (f === undefined) {
    throw new Error(`activationBackward: unknown activation "${op}"; expected one of relu, sigmoid, tanh`);
  }
  if (gradOut.length !== saved.length || out.length !== saved.length) {
    throw new Error(
      `activationBackward(${op}): saved has ${saved.length} elements, gradOut ${gradOut.length}, out ${out.length}`,
    );
  }
  for (let i = 0; i < saved.length; i++) out[i] = f(saved[i] as number, gradOut[i] as number);
}
