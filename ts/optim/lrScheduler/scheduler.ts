import { Optimizer } from "../optimizer.js";
import { checkKnown, optionsObject, type SchedulerFields, show } from "../options.js";

/** What a scheduler reads and writes in a parameter group. */
export type LrGroup = SchedulerFields & { lr: number; momentum?: number; betas?: [number, number] };

/** An optimizer of any kind; schedulers only touch the fields of `LrGroup`. */
export type AnyOptimizer = Optimizer<object>;

/** The groups of `optimizer` as schedulers see them: every optimizer here has an lr. */
export function groupsOf(optimizer: AnyOptimizer): LrGroup[] {
  return optimizer.paramGroups as unknown as LrGroup[];
}

/**
 * Checks a scheduler's arguments before it touches the optimizer: `optimizer` must be
 * one, and every key of `opts` a known option. Returns the options over `defaults`
 * (an undefined default marks a required option, which the caller checks).
 */
export function schedulerOptions<O extends object>(
  op: string,
  optimizer: unknown,
  opts: unknown,
  defaults: O,
): Record<keyof O, unknown> {
  if (!(optimizer instanceof Optimizer)) throw new Error(`${op}: expected an optimizer, got ${show(optimizer)}`);
  const given = optionsObject(op, opts);
  checkKnown(op, given, Object.keys(defaults));
  const merged: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(given)) if (value !== undefined) merged[key] = value;
  return merged as Record<keyof O, unknown>;
}

/** One value per parameter group: a single value repeated, or an array of the groups' length. */
export function perGroup(
  op: string,
  name: string,
  value: unknown,
  groups: number,
  check: (name: string, v: unknown) => number,
): number[] {
  if (!Array.isArray(value)) return new Array<number>(groups).fill(check(name, value));
  if (value.length !== groups) {
    throw new Error(`${op}: invalid ${name}: ${show(value)} (expected ${groups} values, one per parameter group)`);
  }
  return value.map((v, i) => check(`${name}[${i}]`, v));
}

/** The fields a scheduler may change in a group, to put back when its first step fails. */
const touched = ["lr", "momentum", "betas", "initialLr", "maxLr", "minLr", "maxMomentum", "baseMomentum"] as const;

/**
 * Base of the epoch-driven schedulers, as PyTorch's `_LRScheduler` with `last_epoch=-1`:
 * construction records each group's `initialLr` (if no scheduler did before) and takes
 * the first step, which sets the lrs for epoch 0. `step()` advances one epoch and writes
 * the new lr into every group.
 */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  /** Each group's `initialLr` when the scheduler was made. */
  readonly baseLrs: number[];
  /** The epoch the current lrs belong to: 0 after construction. */
  lastEpoch = -1;
  /** Steps taken, the first during construction (PyTorch's `_step_count`). */
  protected stepCount = 0;
  #lastLr: number[] = [];
  /** The groups' fields before this scheduler changed them, for `initialStep` to put back. */
  #before: Record<string, unknown>[] | null;

  /** @param before the groups' fields, when a subclass changed them before calling this */
  protected constructor(optimizer: AnyOptimizer, before = snapshot(optimizer)) {
    this.optimizer = optimizer;
    this.#before = before;
    const groups = groupsOf(optimizer);
    for (const group of groups) group.initialLr ??= group.lr;
    this.baseLrs = groups.map((g) => g.initialLr as number);
  }

  /**
   * The lrs for `lastEpoch` (PyTorch's `get_lr`, in its recursive form where PyTorch
   * uses one, so values match `get_last_lr` to the last bit).
   */
  protected abstract computeLr(): number[];

  /**
   * The first step; subclasses call it last in their constructor. If it fails (a
   * throwing lr lambda), the groups are put back as they were.
   */
  protected initialStep(): void {
    const before = this.#before;
    this.#before = null;
    try {
      this.step();
    } catch (error) {
      groupsOf(this.optimizer).forEach((group, i) => {
        const saved = before?.[i] ?? {};
        for (const key of touched) {
          if (key in saved) (group as unknown as Record<string, unknown>)[key] = saved[key];
          else delete group[key];
        }
      });
      throw error;
    }
  }

  /** Advances one epoch and sets every group's lr. */
  step(): void {
    this.lastEpoch++;
    this.stepCount++;
    let lrs: number[];
    try {
      lrs = this.computeLr();
    } catch (error) {
      this.lastEpoch--;
      this.stepCount--;
      throw error;
    }
    const groups = groupsOf(this.optimizer);
    groups.forEach((group, i) => {
      group.lr = lrs[i] as number;
    });
    this.#lastLr = groups.map((g) => g.lr);
  }

  /** The lr of every group after the last step. */
  getLastLr(): number[] {
    return [...this.#lastLr];
  }

  /** Every group's current lr, which the recursive forms scale. */
  protected currentLrs(): number[] {
    return groupsOf(this.optimizer).map((g) => g.lr);
  }
}

/** A snapshot of the fields a scheduler may change, taken before it changes any. */
export function snapshot(optimizer: AnyOptimizer): Record<string, unknown>[] {
  return groupsOf(optimizer).map((group) => {
    const saved: Record<string, unknown> = {};
    for (const key of touched) if (key in group) saved[key] = group[key];
    return saved;
  });
}
