import { record } from "../autograd/graph.js";
import { checkShape, formatShape, numelOf } from "../shape.js";
import { Tensor } from "../tensor.js";
import { checkOperand } from "./operands.js";

function copyAs(a: Tensor, shape: readonly number[]): Tensor {
  const out = Tensor.zeros(a.backend, shape);
  a.backend.copy(a.storageFor("reshape"), out.storageFor("reshape"));
  return out;
}

/** The same values in a new shape; one dimension may be -1 and is then inferred. */
export function reshape(a: Tensor, shape: number[]): Tensor {
  checkOperand("reshape", a, a);
  const inferAt = shape.indexOf(-1);
  const known = shape.filter((_, i) => i !== inferAt);
  checkShape("reshape", known);
  const resolved = [...shape];
  if (inferAt !== -1) {
    const rest = numelOf(known);
    if (rest === 0 || a.numel() % rest !== 0) {
      throw new Error(`reshape: shape ${formatShape(shape)} is invalid for input of size ${a.numel()}`);
    }
    resolved[inferAt] = a.numel() / rest;
  }
  if (numelOf(resolved) !== a.numel()) {
    throw new Error(`reshape: shape ${formatShape(shape)} is invalid for input of size ${a.numel()}`);
  }
  return record(copyAs(a, resolved), "reshape", [a], (g) => [copyAs(g, a.shape)]);
}
