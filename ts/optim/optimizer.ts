import { Tensor } from "../tensor.js";

/** A group of parameters with its options, as an entry of PyTorch's `param_groups`. */
export type ParamGroup<O> = O & { params: Tensor[] };

/** What an optimizer accepts: tensors, or groups of tensors with options of their own. */
export type Params<O> = Iterable<Tensor> | ({ params: Iterable<Tensor> } & Partial<O>)[];

/** Throws unless `value` is a finite number satisfying `valid`, naming the option and value. */
export function checkOption(
  op: string,
  name: string,
  value: unknown,
  valid: (v: number) => boolean,
  rule: string,
): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !valid(value)) {
    throw new Error(`${op}: invalid ${name}: ${String(value)} (must be ${rule})`);
  }
  return value;
}

export function checkFlag(op: string, name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new Error(`${op}: invalid ${name}: ${String(value)} (must be true or false)`);
  return value;
}

/**
 * Base of every optimizer: parameter groups whose options are the defaults overridden
 * per group, all validated before anything is kept, and `zeroGrad`.
 */
export abstract class Optimizer<O extends object> {
  readonly paramGroups: ParamGroup<O>[];

  /**
   * @param defaults every option with its default, overridden by `opts`
   * @param resolve validates one group's options, throwing with the option and value
   */
  constructor(op: string, params: Params<O>, defaults: O, opts: Partial<O>, resolve: (given: O) => O) {
    const checkKnown = (given: object): void => {
      for (const key of Object.keys(given)) {
        if (key !== "params" && !(key in defaults)) {
          throw new Error(`${op}: unknown option "${key}"; expected one of ${Object.keys(defaults).join(", ")}`);
        }
      }
    };
    checkKnown(opts);
    const list = [...params] as unknown[];
    if (list.length === 0) throw new Error(`${op}: optimizer got an empty parameter list`);
    const groups = list.every((p) => p instanceof Tensor) ? [{ params: list }] : list;
    const seen = new Set<Tensor>();
    this.paramGroups = groups.map((group, index) => {
      if (typeof group !== "object" || group === null || !("params" in group)) {
        throw new Error(`${op}: parameter group ${index} must be an object with params, got ${String(group)}`);
      }
      const { params: groupParams, ...overrides } = group as { params: Iterable<unknown> };
      checkKnown(overrides);
      const tensors = [...groupParams].map((t) => {
        if (!(t instanceof Tensor)) throw new Error(`${op}: parameter group ${index} holds ${String(t)}, not a Tensor`);
        if (!t.isLeaf) throw new Error(`${op}: can't optimize a non-leaf Tensor of shape [${t.shape.join(", ")}]`);
        if (seen.has(t)) throw new Error(`${op}: some parameters appear in more than one parameter group`);
        seen.add(t);
        return t;
      });
      return { ...resolve({ ...defaults, ...opts, ...overrides } as O), params: tensors };
    });
  }

  /** Updates every parameter that has a gradient. */
  abstract step(): void;

  /** Sets every parameter's gradient to null, as PyTorch's default `set_to_none=True`. */
  zeroGrad(): void {
    for (const group of this.paramGroups) for (const p of group.params) p.grad = null;
  }
}
