import { noGrad } from "../autograd/graph.js";
import { zeroGrads } from "../autograd/zeroGrad.js";
import { flattenNested, formatShape, type NestedNumberArray, numelOf, shapeOfNested, shapesEqual } from "../shape.js";
import { Tensor } from "../tensor.js";

/** A value `loadStateDict` accepts for one parameter. */
export type StateValue = Tensor | Float32Array | NestedNumberArray;

/** What a non-strict `loadStateDict` reports, as PyTorch's `_IncompatibleKeys`. */
export interface IncompatibleKeys {
  missingKeys: string[];
  unexpectedKeys: string[];
}

/** The values and shape of a state-dict entry (a flat Float32Array has no shape of its own). */
function valuesOf(value: StateValue, key: string): { values: Float32Array; shape: number[] | null } {
  if (value instanceof Tensor) return { values: value.toFloat32Array(), shape: [...value.shape] };
  if (value instanceof Float32Array) return { values: value, shape: null };
  const shape = shapeOfNested(`loadStateDict: "${key}"`, value);
  const values = new Float32Array(numelOf(shape));
  flattenNested(value, values);
  return { values, shape };
}

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

  /** Clears every parameter's gradient (see `zeroGrads`): null by default, zeros in place with `setToNone` false. */
  zeroGrad(setToNone = true): void {
    zeroGrads(this.parameters(), setToNone);
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

  /**
   * Copies values into the parameters in place (optimizers keep working), as PyTorch's
   * `load_state_dict`. Every key and shape is checked first: missing or unexpected keys
   * (when `strict`) and any shape mismatch throw one Error listing them all, and then
   * nothing has changed.
   */
  loadStateDict(stateDict: Record<string, StateValue>, strict = true): IncompatibleKeys {
    if (typeof stateDict !== "object" || stateDict === null) {
      throw new Error(`loadStateDict: expected an object of parameters, got ${String(stateDict)}`);
    }
    const own = new Map(this.namedParameters());
    const missingKeys = [...own.keys()].filter((k) => !Object.hasOwn(stateDict, k));
    const unexpectedKeys = Object.keys(stateDict).filter((k) => !own.has(k));
    const problems: string[] = [];
    if (strict && missingKeys.length > 0)
      problems.push(`Missing key(s) in state_dict: ${missingKeys.map((k) => `"${k}"`).join(", ")}.`);
    if (strict && unexpectedKeys.length > 0) {
      problems.push(`Unexpected key(s) in state_dict: ${unexpectedKeys.map((k) => `"${k}"`).join(", ")}.`);
    }
    const updates: [Tensor, Float32Array][] = [];
    for (const [key, param] of own) {
      const value = stateDict[key];
      if (value === undefined) continue;
      const { values, shape } = valuesOf(value, key);
      const fits = shape === null ? values.length === param.numel() : shapesEqual(shape, param.shape);
      if (!fits) {
        const given = shape === null ? `${values.length} values` : `shape ${formatShape(shape)}`;
        problems.push(
          `size mismatch for ${key}: copying a param with ${given} from checkpoint, the shape in current model is ${formatShape(param.shape)}.`,
        );
        continue;
      }
      updates.push([param, values]);
    }
    if (problems.length > 0) {
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${problems.join("\n\t")}`);
    }
    for (const [param, values] of updates) param.assign(values);
    return { missingKeys, unexpectedKeys };
  }
}
