import { Generator } from "../random.js";
import { formatShape } from "../shape.js";
import { Tensor } from "../tensor.js";
import { noGrad } from "./graph.js";

/** Tolerances of `gradcheck`; the defaults suit float32 (see `gradcheck`). */
export interface GradcheckOptions {
  /** Perturbation of each input element for the central difference. */
  eps?: number;
  atol?: number;
  rtol?: number;
}

const defaults: Required<GradcheckOptions> = { eps: 1e-2, atol: 1e-4, rtol: 1e-3 };

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

/**
 * Checks the gradients autograd computes for `fn` against central finite differences,
 * as `torch.autograd.gradcheck(..., raise_exception=True)`: returns true, or throws an
 * Error naming the input, the element and both values. Only inputs that require grad
 * are checked. `fn` is reduced to a scalar by a fixed random weighting of its output,
 * `L = Σ wₖ·fn(inputs)ₖ`, so one backward pass gives every analytic derivative ∂L/∂xᵢⱼ,
 * each compared with `(L(x + h) − L(x − h)) / 2h` as |analytic − numeric| ≤ atol + rtol·|numeric|.
 *
 * Precision: tensors are float32, so `fn` itself is evaluated in float32 (on the
 * backend the inputs live on; pass tensors made on the `js` backend to check against
 * the reference). A float64 evaluation is not possible. Everything around it is in
 * float64: the weighted sum of the outputs, the step actually taken (the difference of
 * the float32-rounded perturbed inputs, not the nominal 2h) and the comparison. Float32
 * rounding of the outputs (about 6e-8 relative) divided by the step dominates the
 * error for small steps: at eps = 1e-3 the numeric derivatives of matmul, linear and
 * logSoftmax on inputs of magnitude 1 to 3 are off by up to 6e-4 (relative), at
 * eps = 1e-2 by about 2e-5, while the truncation error (eps²·f'''/6) stays below 1e-4
 * relative. Hence the defaults eps = 1e-2, atol = 1e-4, rtol = 1e-3, in place of
 * PyTorch's float64 ones (eps 1e-6, atol 1e-5, rtol 1e-3).
 * Keep inputs at least eps away from kinks (relu, abs at 0), as with PyTorch.
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
  const values = inputs.map((t) => t.toFloat32Array());
  const make = (i: number, data: Float32Array, requiresGrad = false): Tensor => {
    const like = inputs[i] as Tensor;
    return new Tensor(like.backend, like.backend.fromFloat32Array(data), like.shape, requiresGrad);
  };
  const evaluate = (args: Tensor[]): Tensor => {
    const out = fn(...args);
    if (!(out instanceof Tensor)) throw new Error(`${op}: fn must return a Tensor, got ${String(out)}`);
    return out;
  };

  // Analytic: one backward pass of L = Σ w·out from fresh leaves.
  const leaves = inputs.map((t, i) => make(i, values[i] as Float32Array, t.requiresGrad));
  const out = evaluate(leaves);
  const generator = new Generator(0);
  const weights = Float64Array.from({ length: out.numel() }, () => Math.fround(2 * generator.uniform() - 1));
  const temporaries = [out];
  if (out.requiresGrad) {
    const w = new Tensor(out.backend, out.backend.fromFloat32Array(new Float32Array(weights)), out.shape);
    const weighted = out.mul(w);
    const loss = weighted.sum();
    loss.backward();
    temporaries.push(w, weighted, loss);
  }
  const analytic = leaves.map((t) => t.grad?.toFloat32Array() ?? new Float32Array(t.numel()));

  // Numeric: L at x ± h for each element, every other input held at its value.
  const fixed = inputs.map((_, i) => make(i, values[i] as Float32Array));
  const weightedSum = (args: Tensor[]): number => {
    const result = noGrad(() => evaluate(args));
    const outputs = result.toFloat32Array();
    if (outputs.length !== weights.length) {
      throw new Error(`${op}: fn returned ${outputs.length} elements after returning ${weights.length}`);
    }
    if (!args.includes(result)) result.dispose();
    let total = 0;
    for (let k = 0; k < outputs.length; k++) total += (weights[k] as number) * (outputs[k] as number);
    return total;
  };
  const lossAt = (i: number, data: Float32Array): number => {
    const perturbed = make(i, data);
    const args = fixed.map((t, k) => (k === i ? perturbed : t));
    const total = weightedSum(args);
    perturbed.dispose();
    return total;
  };
  inputs.forEach((input, i) => {
    if (!input.requiresGrad) return;
    const x = values[i] as Float32Array;
    let worst: { j: number; a: number; n: number; excess: number } | null = null;
    let failures = 0;
    for (let j = 0; j < x.length; j++) {
      const data = Float32Array.from(x);
      const center = x[j] as number;
      data[j] = center + eps;
      const up = data[j] as number;
      const plus = lossAt(i, data);
      data[j] = center - eps;
      const minus = lossAt(i, data);
      const numeric = (plus - minus) / (up - (data[j] as number));
      const a = analytic[i]?.[j] as number;
      const excess = Math.abs(a - numeric) - (atol + rtol * Math.abs(numeric));
      if (!(excess <= 0)) {
        failures++;
        if (worst === null || !(excess <= worst.excess)) worst = { j, a, n: numeric, excess };
      }
    }
    if (worst !== null) {
      throw new Error(
        `${op}: gradient mismatch for input ${i} of shape ${formatShape(input.shape)} at element ${indexOf(worst.j, input.shape)}: analytic ${worst.a}, numeric ${worst.n} (eps ${eps}, atol ${atol}, rtol ${rtol}; ${failures} of ${x.length} elements differ)`,
      );
    }
  });
  for (const t of [...temporaries, ...leaves, ...fixed]) t.dispose();
  return true;
}
