import type { Backend } from "../backend/backend.js";
import { withBackend } from "../backend/select.js";
import { createJsBackend } from "../backends/js/index.js";
import { Generator } from "../random.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { noGrad } from "./graph.js";

/** Tolerances of `gradcheck`, with PyTorch's defaults. */
export interface GradcheckOptions {
  /** Perturbation of each input element for the central difference. */
  eps?: number;
  atol?: number;
  rtol?: number;
}

// PyTorch's defaults, which suit float64.
const defaults: Required<GradcheckOptions> = { eps: 1e-6, atol: 1e-5, rtol: 1e-3 };

function checkOptions(opts: GradcheckOptions): Required<GradcheckOptions> {
  const unknown = Object.keys(opts).filter((k) => !(k in defaults));
  if (unknown.length > 0) {
    throw new Error(`gradcheck: unknown option ${unknown.map((k) => `"${k}"`).join(", ")}; expected eps, atol, rtol`);
  }
  const checked = { ...defaults, ...opts };
  for (const [name, value] of Object.entries(checked)) {
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || (name === "eps" && value === 0)) {
      throw new Error(
        `gradcheck: invalid ${name}: ${String(value)} (must be a finite number ${name === "eps" ? "> 0" : ">= 0"})`,
      );
    }
  }
  return checked;
}

/** The row-major index of element `flat` of `shape`, for messages. */
function indexOf(flat: number, shape: readonly number[]): string {
  const index: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    const size = shape[d] as number;
    index.unshift(flat % size);
    flat = Math.floor(flat / size);
  }
  return formatShape(index);
}

let reference: Backend | null = null;

/** The js backend on float64 storage, made on first use. */
function float64Reference(): Backend {
  reference ??= createJsBackend("float64");
  return reference;
}

/**
 * Checks the gradients autograd computes for `fn` against central finite differences,
 * as `torch.autograd.gradcheck(..., raise_exception=True)`: returns true, or throws an
 * Error naming the input, the element and both values. Only inputs that require grad
 * are checked. `fn` is reduced to a scalar by a fixed random weighting of its output,
 * `L = Σ wₖ·fn(inputs)ₖ`, so one backward pass gives every analytic derivative ∂L/∂xᵢⱼ,
 * each compared with `(L(x + h) − L(x − h)) / 2h` as |analytic − numeric| ≤ atol + rtol·|numeric|.
 *
 * Everything runs in float64 on the reference backend (the js kernels on Float64Arrays),
 * whatever backend the inputs live on, so the defaults are PyTorch's. `fn` must build
 * its result from its inputs and numbers only: a tensor it captures from outside lives
 * on another backend; pass such constants as inputs that do not require grad. Keep
 * inputs at least eps away from kinks (relu, abs at 0), as with PyTorch.
 */
export function gradcheck(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], opts: GradcheckOptions = {}): true {
  const op = "gradcheck";
  if (typeof fn !== "function") throw new Error(`${op}: fn must be a function, got ${String(fn)}`);
  if (!Array.isArray(inputs) || !inputs.every((t) => t instanceof Tensor)) {
    throw new Error(`${op}: inputs must be an array of Tensors, got ${String(inputs)}`);
  }
  if (!inputs.some((t) => t.requiresGrad))
    throw new Error(`${op}: no input requires grad, so there is nothing to check`);
  const { eps, atol, rtol } = checkOptions(opts);
  const backend = float64Reference();
  const values = inputs.map((t) => Float64Array.from(t.toFloat32Array()));
  const make = (i: number, data: Float64Array, requiresGrad = false): Tensor =>
    new Tensor(backend, Float64Array.from(data), (inputs[i] as Tensor).shape, requiresGrad);
  const float64 = (t: Tensor): Float64Array => t.storageFor(op) as Float64Array;
  const evaluate = (args: Tensor[]): Tensor => {
    const out = withBackend(backend, () => fn(...args));
    if (!(out instanceof Tensor)) throw new Error(`${op}: fn must return a Tensor, got ${String(out)}`);
    if (out.backend !== backend) {
      throw new Error(`${op}: fn returned a tensor from another backend; build the result from the inputs only`);
    }
    return out;
  };

  // Analytic: one backward pass of L = Σ w·out from fresh leaves.
  const leaves = inputs.map((t, i) => make(i, values[i] as Float64Array, t.requiresGrad));
  const out = evaluate(leaves);
  const generator = new Generator(0);
  const weights = Float64Array.from({ length: out.numel() }, () => 2 * generator.uniform() - 1);
  if (out.requiresGrad) {
    withBackend(backend, () =>
      out
        .mul(new Tensor(backend, Float64Array.from(weights), out.shape))
        .sum()
        .backward(),
    );
  }
  const analytic = leaves.map((t) => (t.grad ? float64(t.grad) : new Float64Array(t.numel())));

  // Numeric: L at x ± h for each element, every other input held at its value.
  const fixed = inputs.map((_, i) => make(i, values[i] as Float64Array));
  const lossAt = (i: number, data: Float64Array): number => {
    const args = fixed.map((t, k) => (k === i ? make(i, data) : t));
    const outputs = float64(noGrad(() => evaluate(args)));
    if (outputs.length !== weights.length) {
      throw new Error(
        `${op}: fn returned ${outputs.length} elements at a perturbed input but ${weights.length} at the given one`,
      );
    }
    let total = 0;
    for (let k = 0; k < outputs.length; k++) total += (weights[k] as number) * (outputs[k] as number);
    return total;
  };
  inputs.forEach((input, i) => {
    if (!input.requiresGrad) return;
    const data = Float64Array.from(values[i] as Float64Array);
    let worst: { j: number; a: number; n: number; excess: number } | null = null;
    let failures = 0;
    for (let j = 0; j < data.length; j++) {
      const center = data[j] as number;
      data[j] = center + eps;
      const plus = lossAt(i, data);
      data[j] = center - eps;
      const minus = lossAt(i, data);
      data[j] = center;
      const numeric = (plus - minus) / (2 * eps);
      const a = analytic[i]?.[j] as number;
      const excess = Math.abs(a - numeric) - (atol + rtol * Math.abs(numeric));
      if (!(excess <= 0)) {
        failures++;
        if (worst === null || !(excess <= worst.excess)) worst = { j, a, n: numeric, excess };
      }
    }
    if (worst !== null) {
      throw new Error(
        `${op}: gradient mismatch for input ${i} of shape ${formatShape(input.shape)} at element ${indexOf(worst.j, input.shape)}: analytic ${worst.a}, numeric ${worst.n} (eps ${eps}, atol ${atol}, rtol ${rtol}; ${failures} of ${data.length} elements differ)`,
      );
    }
  });
  return true;
}
