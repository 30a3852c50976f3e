import { defaultGenerator, type Generator } from "../random.js";
import { Tensor } from "../tensor.js";
import { mul } from "./binary.js";
import { checkOperand } from "./operands.js";

/**
 * Dropout: in training, each element is kept with probability 1 − p and scaled by
 * 1/(1 − p), so the expected value is unchanged; otherwise the input passes through.
 * The mask is drawn in TypeScript from `generator`, so every backend drops the same elements.
 */
export function dropout(input: Tensor, p = 0.5, training = true, generator: Generator = defaultGenerator): Tensor {
  checkOperand("dropout", input, input);
  if (!(p >= 0 && p <= 1)) throw new Error(`dropout: probability has to be between 0 and 1, but got ${p}`);
  if (!training || p === 0) return input;
  const keep = p === 1 ? 0 : 1 / (1 - p);
  const mask = new Float32Array(input.numel());
  for (let i = 0; i < mask.length; i++) mask[i] = generator.uniform() < p ? 0 : keep;
  return mul(input, new Tensor(input.backend, input.backend.fromFloat32Array(mask), input.shape));
}
