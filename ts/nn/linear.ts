import { activeBackend } from "../backend/select.js";
import { defaultGenerator, type Generator } from "../random.js";
import { Tensor } from "../tensor.js";
import { linear } from "./functional.js";
import { Module, Parameter } from "./module.js";

function checkFeatures(name: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new Error(`Linear: ${name} must be a non-negative integer, got ${String(value)}`);
  }
  return value as number;
}

/** A tensor of `shape` with samples of U(-bound, bound), drawn as torch's `uniform_`. */
function uniformParameter(shape: number[], bound: number, generator: Generator): Tensor {
  const backend = activeBackend();
  const values = new Float32Array(shape.reduce((n, d) => n * d, 1));
  for (let i = 0; i < values.length; i++) values[i] = -bound + 2 * bound * generator.uniform();
  return Parameter(new Tensor(backend, backend.fromFloat32Array(values), shape));
}

/** `y = x·Wᵀ + b`, with weight [out, in] and bias [out], as `torch.nn.Linear`. */
export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  weight: Tensor;
  bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, opts: { bias?: boolean; generator?: Generator } = {}) {
    super();
    this.inFeatures = checkFeatures("inFeatures", inFeatures);
    this.outFeatures = checkFeatures("outFeatures", outFeatures);
    // PyTorch's reset_parameters: kaiming_uniform_(a=√5) on the weight reduces to
    // U(±1/√fan_in), and the bias uses the same bound.
    const bound = inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0;
    const generator = opts.generator ?? defaultGenerator;
    this.weight = uniformParameter([outFeatures, inFeatures], bound, generator);
    this.bias = opts.bias === false ? null : uniformParameter([outFeatures], bound, generator);
  }

  forward(input: Tensor): Tensor {
    return linear(input, this.weight, this.bias);
  }
}
