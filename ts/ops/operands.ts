import { scalarShape, Tensor } from "../tensor.js";

/** Throws unless `t` is a live Tensor on `backendOf`'s backend. */
export function checkOperand(op: string, t: unknown, backendOf: Tensor): Tensor {
  if (!(t instanceof Tensor)) throw new Error(`${op}: expected a Tensor, got ${String(t)}`);
  if (t.backend !== backendOf.backend) {
    throw new Error(
      `${op}: tensors live on different backends (${backendOf.backend.name} and ${t.backend.name}); create them after setBackend()`,
    );
  }
  t.storageFor(op);
  return t;
}

/** A number operand as a 0-dimensional tensor on `like`'s backend. */
export function scalarOn(like: Tensor, value: number): Tensor {
  const t = Tensor.empty(like.backend, scalarShape);
  like.backend.fill(t.storageFor("scalar"), value);
  return t;
}

/** Throws unless `value` is a number (NaN and infinities pass through, as in PyTorch). */
export function checkNumber(op: string, name: string, value: unknown): number {
  if (typeof value !== "number") throw new Error(`${op}: ${name} must be a number, got ${String(value)}`);
  return value;
}
