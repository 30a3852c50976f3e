import { zeroGrads } from "../autograd/zeroGrad.js";
import type { Backend, Storage } from "../backend/backend.js";
import { Tensor } from "../tensor.js";
import {
  checkKnown,
  checkSchedulerFields,
  optionsObject,
  type SchedulerFields,
  schedulerFields,
  show,
} from "./options.js";
import { loadState, type OptimizerStateDict, saveState } from "./stateDict.js";

/** A group of parameters with its options, as an entry of PyTorch's `param_groups`. */
export type ParamGroup<O> = O & SchedulerFields & { params: Tensor[] };

/** What an optimizer accepts: tensors, or groups of tensors with options of their own. */
export type Params<O> = Iterable<Tensor> | ({ params: Iterable<Tensor> } & Partial<O> & SchedulerFields)[];

/** One parameter's state: PyTorch's `step` and buffers, each of the parameter's shape on its backend. */
export interface ParamState {
  step: number;
  /** Under PyTorch's names (`exp_avg`, `momentum_buffer`...). */
  readonly buffers: Map<string, Tensor>;
}

/** What distinguishes one optimizer class: its name, options and state layout. */
export interface OptimizerSpec<O> {
  name: string;
  /** Every option with its default. */
  defaults: O;
  /** Validates one group's options, throwing an Error that names the option and value. */
  resolve(given: O): O;
  /** Whether the state counts steps (all but SGD). */
  countsSteps: boolean;
  /** Every buffer name the state may hold, in PyTorch's order. */
  buffers: readonly string[];
  /** The buffers a state entry must hold under `options` (once the parameter was stepped). */
  requiredBuffers(options: O): string[];
}

const emptyStorages = new WeakMap<Backend, Storage>();

/** A zero-length storage standing in for a buffer the options leave unused; kernels never read it. */
export function emptyStorage(backend: Backend): Storage {
  let s = emptyStorages.get(backend);
  if (s === undefined) {
    s = backend.alloc(0);
    emptyStorages.set(backend, s);
  }
  return s;
}

/**
 * Base of every optimizer: parameter groups whose options are the defaults overridden
 * per group, all validated before anything is kept; per-parameter state; `zeroGrad`,
 * `stateDict` and `loadStateDict`.
 */
export abstract class Optimizer<O extends object> {
  readonly paramGroups: ParamGroup<O>[];
  /** The options every group starts from: the defaults overridden by the constructor's. */
  readonly defaults: O;
  /** Per-parameter state; parameters that were never stepped have none. */
  protected readonly state = new Map<Tensor, ParamState>();
  protected readonly spec: OptimizerSpec<O>;

  constructor(params: Params<O>, opts: Partial<O> | undefined, spec: OptimizerSpec<O>) {
    const op = spec.name;
    const given = definedOnly(optionsObject(op, opts));
    const optionNames = Object.keys(spec.defaults);
    checkKnown(op, given, optionNames);
    if (params === null || typeof params !== "object" || !(Symbol.iterator in params)) {
      throw new Error(`${op}: params must be an iterable of Tensors or of parameter groups, got ${show(params)}`);
    }
    const list = [...params] as unknown[];
    if (list.length === 0) throw new Error(`${op}: optimizer got an empty parameter list`);
    const groups = list.every((p) => p instanceof Tensor) ? [{ params: list }] : list;
    const seen = new Set<Tensor>();
    this.spec = spec;
    this.defaults = { ...spec.defaults, ...given } as O;
    this.paramGroups = groups.map((group, index) => {
      if (typeof group !== "object" || group === null || !("params" in group)) {
        throw new Error(`${op}: parameter group ${index} must be an object with params, got ${show(group)}`);
      }
      const { params: groupParams, ...rest } = group as { params: unknown };
      const overrides = definedOnly(rest);
      checkKnown(op, overrides, [...optionNames, ...schedulerFields]);
      const fields = checkSchedulerFields(op, overrides);
      if (groupParams === null || typeof groupParams !== "object" || !(Symbol.iterator in groupParams)) {
        throw new Error(`${op}: params of parameter group ${index} must be an iterable of Tensors`);
      }
      const tensors = [...(groupParams as Iterable<unknown>)].map((t) => {
        if (!(t instanceof Tensor)) throw new Error(`${op}: parameter group ${index} holds ${show(t)}, not a Tensor`);
        if (!t.isLeaf) throw new Error(`${op}: can't optimize a non-leaf Tensor of shape [${t.shape.join(", ")}]`);
        if (seen.has(t)) throw new Error(`${op}: some parameters appear in more than one parameter group`);
        seen.add(t);
        return t;
      });
      const options = spec.resolve({ ...this.defaults, ...overrides } as O);
      return { ...options, ...fields, params: tensors } as ParamGroup<O>;
    });
  }

  /** Updates every parameter that has a gradient; parameters without one keep their state. */
  abstract step(): void;

  /** Clears every parameter's gradient (see `zeroGrads`): null by default, zeros in place with `setToNone` false. */
  zeroGrad(setToNone = true): void {
    for (const group of this.paramGroups) zeroGrads(group.params, setToNone);
  }

  /**
   * The optimizer's state in PyTorch's layout, with copies of every buffer:
   * `{ state: { [index]: { step, exp_avg, ... } }, param_groups: [{ lr, ..., params: [indices] }] }`.
   * Indices number the parameters across groups in order. Inside `state` the keys are
   * PyTorch's snake_case names, so states can be exchanged with PyTorch; the options in
   * `param_groups` keep this API's camelCase names (`weightDecay`, `initialLr`), as the
   * constructor takes them. SGD without momentum has no state, where PyTorch records
   * `momentum_buffer: None`.
   */
  stateDict(): OptimizerStateDict<Tensor> {
    return saveState(this.spec, this.paramGroups, this.state);
  }

  /**
   * Restores a state from `stateDict()` (or the same layout with buffers as Float32Arrays
   * or nested arrays, e.g. read from JSON). Parameters are matched by position within
   * their groups. Everything is checked first, the group and parameter counts, every
   * option, every buffer's shape, and nothing changes when anything is wrong: the Error
   * lists every problem. Buffers are copied onto each parameter's backend.
   */
  loadStateDict(stateDict: OptimizerStateDict): void {
    const loaded = loadState(this.spec, this.paramGroups, stateDict);
    // The groups are updated in place, so references to them (a scheduler's) stay valid.
    this.paramGroups.forEach((group, i) => {
      for (const key of Object.keys(group)) if (key !== "params") delete (group as Record<string, unknown>)[key];
      Object.assign(group, loaded.options[i]);
    });
    for (const s of this.state.values()) for (const b of s.buffers.values()) b.dispose();
    this.state.clear();
    for (const [p, s] of loaded.state) this.state.set(p, s);
  }

  /** The state of `p`, created empty (step 0, no buffers) on first use. */
  protected stateOf(p: Tensor): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = { step: 0, buffers: new Map() };
      this.state.set(p, s);
    }
    return s;
  }

  /** Buffer `name` of `p`, created filled with `initial` when absent. */
  protected buffer(p: Tensor, state: ParamState, name: string, initial = 0): Tensor {
    let b = state.buffers.get(name);
    if (b === undefined) {
      b = Tensor.zeros(p.backend, p.shape);
      if (initial !== 0) p.backend.fill(b.storageFor(this.spec.name), initial);
      state.buffers.set(name, b);
    }
    return b;
  }

  /** The storage of buffer `name` when `used`, else a zero-length stand-in the kernel ignores. */
  protected storageIf(used: boolean, p: Tensor, state: ParamState, name: string): Storage {
    return used ? this.buffer(p, state, name).storageFor(`${this.spec.name}.step`) : emptyStorage(p.backend);
  }
}

/** `options` without the keys whose value is undefined: those mean "the default", as an omitted key does. */
function definedOnly(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
}
