// Option checks shared by the optimizers and the LR schedulers. Every error names the
// operation, the option and the offending value, as API.md's Errors section asks.

/** A value as an error message shows it: arrays as `[a, b]`, strings quoted. */
export function show(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(show).join(", ")}]`;
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "function") return "a function";
  return String(value);
}

/** Throws unless `value` is a finite number satisfying `valid`, naming the option and value. */
export function checkOption(
  op: string,
  name: string,
  value: unknown,
  valid: (v: number) => boolean,
  rule: string,
): number {
  if (typeof value !== "number" || !Number.isFinite(value) || !valid(value)) {
    throw new Error(`${op}: invalid ${name}: ${show(value)} (must be ${rule})`);
  }
  return value;
}

export const nonNegative = (v: number): boolean => v >= 0;
export const positive = (v: number): boolean => v > 0;
export const anyNumber = (): boolean => true;

/** Throws unless `value` is an integer of at least `min`. */
export function checkInteger(op: string, name: string, value: unknown, min: number): number {
  return checkOption(op, name, value, (v) => Number.isInteger(v) && v >= min, `an integer >= ${min}`);
}

export function checkFlag(op: string, name: string, value: unknown): boolean {
  if (typeof value !== "boolean") throw new Error(`${op}: invalid ${name}: ${show(value)} (must be true or false)`);
  return value;
}

/** Throws unless `value` is one of `choices`. */
export function checkChoice<C extends string>(op: string, name: string, value: unknown, choices: readonly C[]): C {
  if (!choices.includes(value as C)) {
    throw new Error(`${op}: invalid ${name}: ${show(value)} (must be one of ${choices.map(show).join(", ")})`);
  }
  return value as C;
}

/** Throws on the first key of `given` that is not in `known`, listing the known ones. */
export function checkKnown(op: string, given: object, known: readonly string[]): void {
  for (const key of Object.keys(given)) {
    if (!known.includes(key)) throw new Error(`${op}: unknown option "${key}"; expected one of ${known.join(", ")}`);
  }
}

/** `opts` as an object, with an error naming `op` for anything else. */
export function optionsObject(op: string, opts: unknown): Record<string, unknown> {
  if (opts === undefined) return {};
  if (typeof opts !== "object" || opts === null || Array.isArray(opts)) {
    throw new Error(`${op}: options must be an object, got ${show(opts)}`);
  }
  return opts as Record<string, unknown>;
}

/**
 * Values LR schedulers keep in a parameter group, as PyTorch's `initial_lr`, `max_lr`,
 * `min_lr`, `max_momentum` and `base_momentum`.
 */
export interface SchedulerFields {
  initialLr?: number;
  maxLr?: number;
  minLr?: number;
  maxMomentum?: number;
  baseMomentum?: number;
}

export const schedulerFields: readonly (keyof SchedulerFields)[] = [
  "initialLr",
  "maxLr",
  "minLr",
  "maxMomentum",
  "baseMomentum",
];

/** The scheduler fields present in `group`, each checked to be a finite number. */
export function checkSchedulerFields(op: string, group: Record<string, unknown>): SchedulerFields {
  const fields: SchedulerFields = {};
  for (const key of schedulerFields) {
    if (key in group) fields[key] = checkOption(op, key, group[key], anyNumber, "a finite number");
  }
  return fields;
}
