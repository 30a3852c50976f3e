import type { Activation, UnaryOp } from "../backend/backend.js";

// The numeric codes the native addon and the wasm module take for an op: its index in
// `UnaryOp::ALL` / `Activation::ALL` of crates/kernels/src/unary.rs, the order of the
// TypeScript unions. A number crosses into Rust more cheaply than a string.

export const unaryCodes: Readonly<Record<UnaryOp, number>> = {
  neg: 0,
  exp: 1,
  log: 2,
  sqrt: 3,
  abs: 4,
  sign: 5,
  relu: 6,
  sigmoid: 7,
  tanh: 8,
};

export const activationCodes: Readonly<Record<Activation, number>> = { relu: 0, sigmoid: 1, tanh: 2 };

/** The code of `op`, or an Error naming the op and the known ones. */
export function codeOf<K extends string>(
  codes: Readonly<Record<K, number>>,
  backend: string,
  kernel: string,
  op: K,
): number {
  const code = Object.hasOwn(codes, op) ? codes[op] : undefined;
  if (code === undefined) {
    throw new Error(`${backend} ${kernel}: unknown op "${op}"; expected one of ${Object.keys(codes).join(", ")}`);
  }
  return code;
}
