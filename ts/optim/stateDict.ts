import type { StateValue } from "../nn/module.js";
import { flattenNested, formatShape, type NestedNumberArray, numelOf, shapeOfNested, shapesEqual } from "../shape.js";
import { Tensor } from "../tensor.js";
import type { OptimizerSpec, ParamGroup, ParamState } from "./optimizer.js";
import { checkSchedulerFields, type SchedulerFields, schedulerFields, show } from "./options.js";

/** One parameter's entry of `state`: `step` and buffers under PyTorch's names; null stands for an absent buffer. */
export type ParamStateDict<B = StateValue> = Record<string, number | B | null>;

/**
 * An optimizer's state in PyTorch's layout (see `Optimizer.stateDict`): `state` keyed by
 * parameter index, `param_groups` with each group's options and the indices of its
 * parameters. `stateDict()` gives Tensors; `loadStateDict` also takes Float32Arrays and
 * nested arrays.
 */
export interface OptimizerStateDict<B = StateValue> {
  state: Record<number, ParamStateDict<B>>;
  param_groups: (Record<string, unknown> & { params: number[] })[];
}

/** Arrays (betas) are copied so the dict shares nothing with the optimizer. */
const copyOption = (value: unknown): unknown => (Array.isArray(value) ? [...value] : value);

export function saveState<O extends object>(
  spec: OptimizerSpec<O>,
  groups: readonly ParamGroup<O>[],
  state: ReadonlyMap<Tensor, ParamState>,
): OptimizerStateDict<Tensor> {
  let index = 0;
  const saved: OptimizerStateDict<Tensor> = { state: {}, param_groups: [] };
  for (const { params, ...options } of groups) {
    const ids: number[] = [];
    for (const p of params) {
      const s = state.get(p);
      if (s !== undefined) {
        const entry: ParamStateDict<Tensor> = spec.countsSteps ? { step: s.step } : {};
        for (const name of spec.buffers) {
          const b = s.buffers.get(name);
          if (b !== undefined) entry[name] = b.clone();
        }
        saved.state[index] = entry;
      }
      ids.push(index++);
    }
    const copied = Object.fromEntries(Object.entries(options).map(([k, v]) => [k, copyOption(v)]));
    saved.param_groups.push({ ...copied, params: ids });
  }
  return saved;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The values of a buffer for `param`, or a description of why they don't fit. */
function bufferValues(value: unknown, param: Tensor): Float32Array | string {
  try {
    if (value instanceof Tensor) {
      if (!shapesEqual(value.shape, param.shape)) return `has shape ${formatShape(value.shape)}`;
      return value.toFloat32Array();
    }
    if (value instanceof Float32Array) {
      return value.length === param.numel() ? value.slice() : `has ${value.length} values`;
    }
    if (typeof value === "number" || Array.isArray(value)) {
      const shape = shapeOfNested("loadStateDict", value as NestedNumberArray);
      if (!shapesEqual(shape, param.shape)) return `has shape ${formatShape(shape)}`;
      const values = new Float32Array(numelOf(shape));
      flattenNested(value as NestedNumberArray, values);
      return values;
    }
    return `is ${show(value)}, not a Tensor, Float32Array or nested array`;
  } catch (error) {
    return `cannot be read (${(error as Error).message})`;
  }
}

interface Loaded<O> {
  /** Each group's new options (without params). */
  options: (O & SchedulerFields)[];
  state: Map<Tensor, ParamState>;
}

/**
 * Checks `sd` against the optimizer's groups and builds the options and state it
 * describes, without touching the optimizer. Throws one Error listing every problem.
 */
export function loadState<O extends object>(
  spec: OptimizerSpec<O>,
  groups: readonly ParamGroup<O>[],
  sd: unknown,
): Loaded<O> {
  const op = `${spec.name}.loadStateDict`;
  if (!isRecord(sd) || !isRecord(sd.state) || !Array.isArray(sd.param_groups)) {
    throw new Error(`${op}: expected { state, param_groups } as stateDict() returns, got ${show(sd)}`);
  }
  const savedGroups = sd.param_groups as unknown[];
  if (savedGroups.length !== groups.length) {
    throw new Error(
      `${op}: the state dict has ${savedGroups.length} parameter groups but the optimizer has ${groups.length}`,
    );
  }
  const problems: string[] = [];
  const optionNames = Object.keys(spec.defaults);
  const known = [...optionNames, ...schedulerFields, "params"];
  /**
   * Saved parameter index → the parameter in the same position and its group's options
   * (as saved when they are invalid, so the buffers are still checked against them).
   */
  const byIndex = new Map<string, { param: Tensor; options: O }>();
  const options = groups.map((group, g) => {
    const saved = savedGroups[g];
    const where = `param_groups[${g}]`;
    if (!isRecord(saved)) {
      problems.push(`${where} is ${show(saved)}, not an object`);
      return undefined;
    }
    const unknown = Object.keys(saved).filter((k) => !known.includes(k));
    if (unknown.length > 0) problems.push(`${where} has unknown options ${unknown.join(", ")}`);
    const missing = optionNames.filter((k) => !(k in saved));
    if (missing.length > 0) problems.push(`${where} lacks the options ${missing.join(", ")}`);
    const given = Object.fromEntries(optionNames.map((k) => [k, copyOption(saved[k])])) as O;
    let resolved: (O & SchedulerFields) | undefined;
    if (unknown.length === 0 && missing.length === 0) {
      try {
        resolved = { ...spec.resolve(given), ...checkSchedulerFields(spec.name, saved) };
      } catch (error) {
        problems.push(`${where}: ${(error as Error).message}`);
      }
    }
    const ids = saved.params;
    if (!Array.isArray(ids) || ids.length !== group.params.length) {
      const count = Array.isArray(ids) ? `${ids.length} parameters` : `params ${show(ids)}`;
      problems.push(`${where} has ${count} in the state dict but ${group.params.length} in the optimizer`);
      return resolved;
    }
    ids.forEach((id, i) => {
      if (!Number.isInteger(id) || byIndex.has(String(id))) {
        problems.push(`${where}.params[${i}] is ${show(id)}, not a parameter index of its own`);
      } else {
        byIndex.set(String(id), { param: group.params[i] as Tensor, options: resolved ?? given });
      }
    });
    return resolved;
  });

  const values = new Map<Tensor, { step: number; buffers: Map<string, Float32Array> }>();
  for (const [key, entry] of Object.entries(sd.state)) {
    const where = `state[${key}]`;
    const target = byIndex.get(key);
    if (target === undefined) {
      problems.push(`${where} belongs to no parameter of param_groups`);
      continue;
    }
    if (!isRecord(entry)) {
      problems.push(`${where} is ${show(entry)}, not an object`);
      continue;
    }
    const { param } = target;
    const loaded = { step: 0, buffers: new Map<string, Float32Array>() };
    for (const [name, value] of Object.entries(entry)) {
      if (name === "step" && spec.countsSteps) {
        if (typeof value === "number" && Number.isInteger(value) && value >= 0) loaded.step = value;
        else problems.push(`${where}.step is ${show(value)}, not an integer >= 0`);
      } else if (!spec.buffers.includes(name)) {
        const expected = [...(spec.countsSteps ? ["step"] : []), ...spec.buffers];
        problems.push(`${where} has an unknown entry "${name}" (expected ${expected.join(", ")})`);
      } else if (value !== null && value !== undefined) {
        const buffer = bufferValues(value, param);
        if (typeof buffer === "string") {
          problems.push(`${where}.${name} ${buffer} but its parameter has shape ${formatShape(param.shape)}`);
        } else {
          loaded.buffers.set(name, buffer);
        }
      }
    }
    if (spec.countsSteps && !("step" in entry)) problems.push(`${where} lacks step`);
    const absent = spec.requiredBuffers(target.options).filter((name) => entry[name] == null);
    if (absent.length > 0) problems.push(`${where} lacks ${absent.join(", ")}`);
    values.set(param, loaded);
  }

  if (problems.length > 0) {
    throw new Error(`${op}: the state dict does not fit this optimizer: ${problems.join("; ")}`);
  }
  const state = new Map<Tensor, ParamState>();
  for (const [p, { step, buffers }] of values) {
    const tensors = [...buffers].map(
      ([name, v]) => [name, new Tensor(p.backend, p.backend.fromFloat32Array(v), p.shape)] as const,
    );
    state.set(p, { step, buffers: new Map(tensors) });
  }
  return { options: options as (O & SchedulerFields)[], state };
}
