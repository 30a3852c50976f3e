import { noGrad } from "../autograd/graph.js";
import type { Tensor } from "../tensor.js";

const parameters = new WeakSet<Tensor>();

/** Marks `t` as a parameter of the module it is assigned to, as `nn.Parameter`; it requires grad. */
export function Parameter(t: Tensor): Tensor {
  parameters.add(t.requiresGrad_(true));
  return t;
}

export function isParameter(value: unknown): value is Tensor {
  return typeof value === "object" && value !== null && parameters.has(value as Tensor);
}

/**
 * Base class of layers and models. Parameters (tensors made with `Parameter`) and
 * sub-modules are found among the instance's own properties, in the order they were
 * assigned, which gives PyTorch's state-dict key names ("0.weight", "fc1.bias").
 */
export abstract class Module {
  training = true;

  abstract forward(...inputs: Tensor[]): Tensor;

  /** Sub-modules assigned as properties, with their property names. */
  namedChildren(): [string, Module][] {
    return Object.entries(this).filter((entry): entry is [string, Module] => entry[1] instanceof Module);
  }

  namedParameters(prefix = ""): [string, Tensor][] {
    const named: [string, Tensor][] = [];
    for (const [key, value] of Object.entries(this)) {
      if (isParameter(value)) named.push([prefix + key, value]);
      else if (value instanceof Module) named.push(...value.namedParameters(`${prefix}${key}.`));
    }
    return named;
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Sets every parameter's gradient to null, as PyTorch's default `set_to_none=True`. */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  train(mode = true): this {
    this.training = mode;
    for (const [, child] of this.namedChildren()) child.train(mode);
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Copies of the parameters under PyTorch's key names. */
  stateDict(): Record<string, Tensor> {
    return noGrad(() => Object.fromEntries(this.namedParameters().map(([name, p]) => [name, p.detach()])));
  }
}
