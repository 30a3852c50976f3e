// What every benchmark child shares: the list of cases, the timing method and the
// one-line JSON report that the runner (main.ts) reads from the child's stdout.

/** SGEMM sizes (square, A·B) and the size of the two transposed variants. */
export const sgemmSizes = [64, 128, 256, 512, 1024] as const;
export const transposedSize = 512;

/** One SGEMM case: C (n×n) = op(A)·op(B). */
export interface SgemmCase {
  key: string;
  n: number;
  transA: boolean;
  transB: boolean;
}

export const sgemmCases: SgemmCase[] = [
  ...sgemmSizes.map((n) => ({ key: `sgemm ${n}`, n, transA: false, transB: false })),
  { key: `sgemm ${transposedSize} Aᵀ·B`, n: transposedSize, transA: true, transB: false },
  { key: `sgemm ${transposedSize} A·Bᵀ`, n: transposedSize, transA: false, transB: true },
];

/** The MLP 784-256-128-10 (ReLU) trained on batches of 128, and the tutorial's linear regression. */
export const mlp = { sizes: [784, 256, 128, 10], batch: 128, sgdLr: 0.01, adamLr: 1e-3 } as const;
export const linreg = { rows: 100, steps: 1000, lr: 0.01 } as const;
export const trainingKeys = ["mlp SGD step", "mlp Adam step", `linreg ${linreg.steps} steps`] as const;

/**
 * A measured cell: `value` is GFLOPS for SGEMM, milliseconds otherwise, from the median time of one call
 * (`ms`); `best` is the same figure from the fastest repetition (`bestMs`).
 */
export interface Cell {
  value: number;
  best: number;
  unit: "GFLOPS" | "ms";
  ms: number;
  bestMs: number;
  reps: number;
  iters: number;
}

/** A cell that was not measured, and why. */
export interface Skipped {
  skipped: string;
}

/** What a child prints as its last line, prefixed by `RESULT `. */
export interface ChildReport {
  system: string;
  info: Record<string, unknown>;
  cells: Record<string, Cell | Skipped>;
}

export interface TimingOptions {
  /** Each repetition runs enough iterations to take at least this long. */
  minRepMs: number;
  /** Repetitions after warm-up (fewer when the budget runs out, never fewer than `minReps`). */
  reps: number;
  minReps: number;
  /** Rough cap on the time spent on one cell. */
  budgetMs: number;
  /** A single call slower than this is not measured at all. */
  maxCallMs: number;
}

export const defaultTiming: TimingOptions = { minRepMs: 50, reps: 7, minReps: 3, budgetMs: 4000, maxCallMs: 3000 };

type Batch = (iters: number) => Promise<number>;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Batches of ~minRepMs run before the timed ones. */
const warmUps = 3;

/** Warm up, size a repetition to ≥ minRepMs, then time several repetitions: per-call median and best. */
type Timing = Omit<Cell, "value" | "best" | "unit">;

async function sample(batch: Batch, opts: TimingOptions): Promise<Timing | Skipped> {
  await batch(1); // first call: compilation, allocation, lazy loading
  const once = await batch(1);
  if (once > opts.maxCallMs) {
    return { skipped: `one call takes ${(once / 1000).toFixed(1)} s (cap ${opts.maxCallMs / 1000} s)` };
  }
  // Calls get faster as the JIT optimizes them, so a batch sized from one early call
  // runs short: the tutorial's 1000 steps took 5x their final time in the first 50 ms,
  // which made its repetitions 10 ms. Each warm-up batch sizes the next from its own time.
  let perCall = once;
  for (let warm = 0; warm < warmUps; warm++) {
    const warmIters = Math.max(1, Math.ceil(opts.minRepMs / Math.max(perCall, 1e-3)));
    perCall = (await batch(warmIters)) / warmIters;
  }
  const iters = Math.max(1, Math.ceil(opts.minRepMs / Math.max(perCall, 1e-3)));
  const perRep = perCall * iters;
  const reps = Math.max(opts.minReps, Math.min(opts.reps, Math.floor(opts.budgetMs / Math.max(perRep, 1e-3))));
  const times: number[] = [];
  for (let r = 0; r < reps; r++) times.push((await batch(iters)) / iters);
  return { ms: median(times), bestMs: Math.min(...times), reps, iters };
}

function finish(timing: Timing | Skipped, flop?: number): Cell | Skipped {
  if ("skipped" in timing) return timing;
  if (flop === undefined) return { value: timing.ms, best: timing.bestMs, unit: "ms", ...timing };
  const gflops = (ms: number) => flop / (ms * 1e6);
  return { value: gflops(timing.ms), best: gflops(timing.bestMs), unit: "GFLOPS", ...timing };
}

/** Times a synchronous call; with `flop` the cell's value is GFLOPS, else milliseconds per call. */
export async function measure(fn: () => unknown, flop?: number, opts = defaultTiming): Promise<Cell | Skipped> {
  const batch: Batch = async (iters) => {
    const start = performance.now();
    for (let i = 0; i < iters; i++) fn();
    return performance.now() - start;
  };
  return finish(await sample(batch, opts), flop);
}

/** Times an asynchronous call (awaited one at a time). */
export async function measureAsync(
  fn: () => Promise<unknown>,
  flop?: number,
  opts = defaultTiming,
): Promise<Cell | Skipped> {
  const batch: Batch = async (iters) => {
    const start = performance.now();
    for (let i = 0; i < iters; i++) await fn();
    return performance.now() - start;
  };
  return finish(await sample(batch, opts), flop);
}

/** FLOPs of one n×n×n product. */
export const sgemmFlop = (n: number): number => 2 * n * n * n;

/** Uniform values in [-1, 1) from a small deterministic generator, so every peer multiplies similar data. */
export function randomFloats(length: number, seed = 1): Float32Array {
  const out = new Float32Array(length);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

/** Runs each case in turn, turning a thrown error into a skipped cell, and prints the report line. */
export async function runChild(
  system: string,
  info: Record<string, unknown>,
  cases: readonly (readonly [key: string, run: () => Promise<Cell | Skipped>])[],
): Promise<void> {
  const cells: Record<string, Cell | Skipped> = {};
  for (const [key, run] of cases) {
    try {
      cells[key] = await run();
    } catch (error) {
      cells[key] = { skipped: `failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    const cell = cells[key];
    process.stderr.write(`  ${system} ${key}: ${cell && "value" in cell ? cell.value.toFixed(3) : cell?.skipped}\n`);
  }
  const report: ChildReport = { system, info, cells };
  process.stdout.write(`RESULT ${JSON.stringify(report)}\n`);
}
