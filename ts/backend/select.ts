import { createJsBackend } from "../backends/js/index.js";
import { loadNativeBackend } from "../backends/native.js";
import { loadWasmBackend, loadWasmBackendSync } from "../backends/wasm.js";
import type { Backend, BackendName } from "./backend.js";

/** One attempt to load a backend, as reported by `backendInfo()`. */
export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  reason?: string;
}

/** What `backendInfo()` returns. */
export interface BackendInfo {
  name: BackendName;
  tried: BackendAttempt[];
  simd?: string;
  /** Why the backend runs a slower build than it has, e.g. wasm without relaxed SIMD. */
  simdSkipped?: string;
  threads?: number;
}

const backendNames: readonly BackendName[] = ["native", "wasm", "js"];
const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

const syncLoaders: Record<BackendName, () => Backend> = {
  native: loadNativeBackend,
  wasm: loadWasmBackendSync,
  js: createJsBackend,
};
const asyncLoaders: Record<BackendName, () => Promise<Backend>> = {
  native: async () => loadNativeBackend(),
  wasm: () => loadWasmBackend(),
  js: async () => createJsBackend(),
};

let active: Backend | null = null;
// Set while `withBackend` runs: tensors created meanwhile go to this backend.
let scoped: Backend | null = null;
let tried: BackendAttempt[] = [];
const loaded = new Map<BackendName, Backend>();

function parseName(value: string, origin: string): BackendName {
  const name = backendNames.find((n) => n === value);
  if (name === undefined) {
    throw new Error(`${origin}: unknown backend "${value}"; expected one of ${backendNames.join(", ")}`);
  }
  return name;
}

/** The order to try: forced by DESCENT_BACKEND, else native > wasm > js (no native in browsers). */
function preferenceOrder(): BackendName[] {
  const forced = isNode ? process.env.DESCENT_BACKEND : undefined;
  if (forced) return [parseName(forced, "DESCENT_BACKEND")];
  return isNode ? ["native", "wasm", "js"] : ["wasm", "js"];
}

function reasonOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

function choose(attempts: BackendAttempt[], backend: Backend): Backend {
  tried = attempts;
  active = backend;
  loaded.set(backend.name, backend);
  const skipped = attempts.filter((a) => !a.ok);
  if (skipped.length > 0) {
    const why = [
      ...skipped.map((a) => `${a.name}: ${a.reason}`),
      ...(backend.simdSkipped ? [`${backend.name} runs ${backend.simd}: ${backend.simdSkipped}`] : []),
    ].join("; ");
    const warning = `descent is using the ${backend.name} backend because faster ones failed to load (${why})`;
    // A page has no process warnings: its console is where a developer looks.
    if (isNode) process.emitWarning(warning);
    else console.warn(warning);
  }
  return backend;
}

function noneLoaded(attempts: BackendAttempt[]): Error {
  tried = attempts;
  const why = attempts.map((a) => `${a.name}: ${a.reason}`).join("; ");
  return new Error(`descent: no backend could be loaded (${why})`);
}

/**
 * The active backend, chosen on first use. Node can load every backend synchronously;
 * browsers must `await ready()` first because WebAssembly compiles asynchronously there.
 */
export function activeBackend(): Backend {
  if (scoped) return scoped;
  if (active) return active;
  const attempts: BackendAttempt[] = [];
  for (const name of preferenceOrder()) {
    try {
      const backend = loaded.get(name) ?? syncLoaders[name]();
      attempts.push({ name, ok: true });
      return choose(attempts, backend);
    } catch (error) {
      attempts.push({ name, ok: false, reason: reasonOf(error) });
    }
  }
  throw noneLoaded(attempts);
}

/** Runs `fn` with `backend` active, for internal backends such as gradcheck's float64 reference. */
export function withBackend<T>(backend: Backend, fn: () => T): T {
  const previous = scoped;
  scoped = backend;
  try {
    return fn();
  } finally {
    scoped = previous;
  }
}

/** Resolves once the chosen backend is loaded (needed in browsers before the first op). */
export async function ready(): Promise<void> {
  if (active) return;
  const attempts: BackendAttempt[] = [];
  for (const name of preferenceOrder()) {
    try {
      const backend = loaded.get(name) ?? (await asyncLoaders[name]());
      attempts.push({ name, ok: true });
      choose(attempts, backend);
      return;
    } catch (error) {
      attempts.push({ name, ok: false, reason: reasonOf(error) });
    }
  }
  throw noneLoaded(attempts);
}

/** Switches to `name`; throws an Error saying why if it cannot load. Existing tensors stay on their backend. */
export async function setBackend(name: BackendName): Promise<void> {
  const checked = parseName(name, "setBackend");
  let backend = loaded.get(checked);
  if (!backend) {
    try {
      backend = await asyncLoaders[checked]();
    } catch (error) {
      throw new Error(`setBackend: the ${checked} backend cannot be loaded: ${reasonOf(error)}`, { cause: error });
    }
  }
  choose([{ name: checked, ok: true }], backend);
}

/** The name of the active backend (choosing it now if nothing has run yet). */
export function getBackend(): BackendName {
  return activeBackend().name;
}

/** The active backend and why each earlier choice, if any, was skipped. */
export function backendInfo(): BackendInfo {
  const backend = activeBackend();
  const info: BackendInfo = { name: backend.name, tried: tried.map((a) => ({ ...a })), simd: backend.simd };
  if (backend.simdSkipped !== undefined) info.simdSkipped = backend.simdSkipped;
  if (backend.threads !== undefined) info.threads = backend.threads();
  return info;
}

/**
 * Sets the threads the native backend's matrix products may use (default: the CPUs
 * available). `n` must be a positive integer. The wasm and js backends run one thread
 * and ignore it.
 */
export function setNumThreads(n: number): void {
  if (typeof n !== "number" || !Number.isInteger(n) || n < 1 || n > 1024) {
    throw new RangeError(`setNumThreads: n must be an integer in 1..1024, got ${String(n)}`);
  }
  const backends = new Set([...loaded.values(), activeBackend()]);
  for (const backend of backends) backend.setThreads?.(n);
}

/** The threads the active backend's kernels may use: 1 for wasm and js. */
export function getNumThreads(): number {
  return activeBackend().threads?.() ?? 1;
}
