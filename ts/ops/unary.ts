import { record } from "../autograd/graph.js";
import type { Activation, UnaryOp } from "../backend/backend.js";
import { Tensor } from "../tensor.js";
import { checkNumber, checkOperand } from "./operands.js";

export function applyUnary(op: UnaryOp, a: Tensor): Tensor {
  const out = Tensor.empty(a.backend, a.shape);
  if (out.numel() > 0) a.backend.unary(op, a.storageFor(op), out.storageFor(op));
  return out;
}

function applyPow(a: Tensor, exponent: number): Tensor {
  const out = Tensor.empty(a.backend, a.shape);
  if (out.numel() > 0) a.backend.powScalar(a.storageFor("pow"), exponent, out.storageFor("pow"));
  return out;
}

/** `g ⊙ h` for a gradient `g` and a tensor `h` the rule computed, which is freed unless `keep`. */
function times(g: Tensor, h: Tensor, keep = false): Tensor {
  const out = Tensor.empty(g.backend, g.shape);
  if (out.numel() > 0)
    g.backend.binary("mul", g.storageFor("backward"), h.storageFor("backward"), out.storageFor("backward"));
  if (!keep) h.dispose();
  return out;
}

function activation(op: Activation, a: Tensor): Tensor {
  checkOperand(op, a, a);
  const out = applyUnary(op, a);
  // relu's derivative reads its input, sigmoid's and tanh's their output.
  const saved = op === "relu" ? a : out;
  return record(out, op, [a], (g) => {
    const grad = Tensor.empty(g.backend, g.shape);
    if (grad.numel() > 0) {
      g.backend.activationBackward(op, saved.storageFor(op), g.storageFor(op), grad.storageFor(op));
    }
    return [grad];
  });
}

export const relu = (a: Tensor): Tensor => activation("relu", a);
export const sigmoid = (a: Tensor): Tensor => activation("sigmoid", a);
export const tanh = (a: Tensor): Tensor => activation("tanh", a);

/** `e^a`; its gradient is `g·e^a`, read from the output. */
export function exp(a: Tensor): Tensor {
  checkOperand("exp", a, a);
  const out = applyUnary("exp", a);
  return record(out, "exp", [a], (g) => [times(g, out, true)]);
}

/** Natural logarithm; gradient `g / a`. */
export function log(a: Tensor): Tensor {
  checkOperand("log", a, a);
  return record(applyUnary("log", a), "log", [a], (g) => [times(g, applyPow(a, -1))]);
}

/** Square root; gradient `g / (2·√a)`. */
export function sqrt(a: Tensor): Tensor {
  checkOperand("sqrt", a, a);
  const out = applyUnary("sqrt", a);
  return record(out, "sqrt", [a], (g) => {
    const reciprocal = applyPow(out, -1);
    const half = Tensor.zeros(g.backend, g.shape);
    if (half.numel() > 0) g.backend.scale(reciprocal.storageFor("sqrt"), 0.5, half.storageFor("sqrt"));
    reciprocal.dispose();
    return [times(g, half)];
  });
}

/** `|a|`; gradient `g·sign(a)` (0 at 0, as PyTorch). */
export function abs(a: Tensor): Tensor {
  checkOperand("abs", a, a);
  return record(applyUnary("abs", a), "abs", [a], (g) => [times(g, applyUnary("sign", a))]);
}

/** `a ** exponent` for a number exponent; gradient `g·p·a^(p−1)`. */
export function pow(a: Tensor, exponent: number): Tensor {
  checkOperand("pow", a, a);
  checkNumber("pow", "exponent", exponent);
  return record(applyPow(a, exponent), "pow", [a], (g) => {
    if (exponent === 0) return [Tensor.zeros(g.backend, g.shape)];
    const derivative = applyPow(a, exponent - 1);
    const scaled = Tensor.zeros(g.backend, g.shape);
    if (scaled.numel() > 0) g.backend.scale(derivative.storageFor("pow"), exponent, scaled.storageFor("pow"));
    derivative.dispose();
    return [times(g, scaled)];
  });
}
