// `npm run bench`: runs every system in its own child process, one after another (the
// machine has 2 cores and the 2-thread runs need both), then prints the markdown
// tables to stdout and writes bench/results/latest.json. Progress goes to stderr.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildReport } from "./measure.js";
import { defaultTiming } from "./measure.js";
import { buildPeakProbe, higherPeak, measurePeak } from "./peak.js";
import {
  goals,
  goalsMarkdown,
  mergeRounds,
  type Outcome,
  peakMarkdown,
  ratioMarkdown,
  ratioTables,
  resultsTable,
} from "./report.js";

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = dirname(benchDir);
const python = "/usr/bin/python3";
const childTimeoutMs = 5 * 60_000;

interface Child {
  system: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

const tsChild = (system: string, file: string, ...args: string[]): Child => ({
  system,
  command: process.execPath,
  args: ["--conditions=source", "--import", "tsx", join(benchDir, file), ...args],
});

/**
 * OpenBLAS threads per process; OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE (which halve its speed) unset for this
 * child only. Passive OpenMP waiting: on 2 shared cores, torch's spinning OpenMP workers fight OpenBLAS's
 * threads and any other load (its 2-thread MLP step took 10-48 ms instead of ~4).
 */
function pythonChild(lib: "torch" | "numpy", threads: number): Child {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
    OMP_WAIT_POLICY: "PASSIVE",
  };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return {
    system: `${lib} ${threads}t`,
    command: python,
    args: [join(benchDir, "peers.py"), lib, String(threads)],
    env,
  };
}

const children: Child[] = [
  tsChild("descent native 1t", "descent.ts", "native", "1"),
  tsChild("descent native 2t", "descent.ts", "native", "2"),
  tsChild("descent wasm", "descent.ts", "wasm"),
  // The SIMD128 build that engines without relaxed SIMD run, to show what the default gains.
  { ...tsChild("descent wasm simd128", "descent.ts", "wasm"), env: { ...process.env, DESCENT_WASM_SIMD: "simd128" } },
  tsChild("descent js", "descent.ts", "js"),
  tsChild("tfjs cpu", "tfjs.ts", "cpu"),
  tsChild("tfjs wasm", "tfjs.ts", "wasm"),
  tsChild("onnxruntime", "onnxruntime.ts"),
  pythonChild("torch", 1),
  pythonChild("torch", 2),
  pythonChild("numpy", 1),
  pythonChild("numpy", 2),
];

/** The last line of a child's error output that names an error, as the reason it is missing. */
function reasonFrom(stderr: string, fallback: string): string {
  const lines = stderr.split("\n").map((l) => l.trim());
  const named = lines.filter((l) => /error|cannot|not found|no module/i.test(l));
  return (named.at(-1) ?? fallback).slice(0, 300);
}

function run(child: Child): Promise<Outcome> {
  process.stderr.write(`bench: ${child.system}\n`);
  return new Promise((resolve) => {
    const proc = spawn(child.command, child.args, {
      cwd: root,
      env: child.env ?? process.env,
      timeout: childTimeoutMs,
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d: Buffer) => {
      stdout += d;
    });
    proc.stderr.on("data", (d: Buffer) => {
      stderr += d;
      // Only the children's progress lines; library chatter stays in `stderr` for the reason.
      for (const line of String(d).split("\n")) if (line.startsWith("  ")) process.stderr.write(`${line}\n`);
    });
    proc.on("error", (error) => resolve({ system: child.system, missing: `cannot start: ${error.message}` }));
    proc.on("close", (code, signal) => {
      const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
      if (line) {
        resolve(JSON.parse(line.slice("RESULT ".length)) as ChildReport);
        return;
      }
      const missing = signal
        ? `killed by ${signal} (time limit ${childTimeoutMs / 60_000} min)`
        : reasonFrom(stderr, `exit code ${code}`);
      resolve({ system: child.system, missing });
    });
  });
}

function cpuFlags(): string[] {
  try {
    const flags =
      fs
        .readFileSync("/proc/cpuinfo", "utf8")
        .match(/^flags\s*:(.*)$/m)?.[1]
        ?.trim()
        .split(/\s+/) ?? [];
    return flags.filter((f) => /^(avx|avx2|fma|f16c|avx512\w*|avx_vnni|amx\w*)$/.test(f));
  } catch {
    return [];
  }
}

/** The model name, with family and model numbers (the name alone can be as vague as "AMD EPYC"). */
function cpuModel(): string {
  const name = os.cpus()[0]?.model ?? "unknown";
  try {
    const info = fs.readFileSync("/proc/cpuinfo", "utf8");
    const family = info.match(/^cpu family\s*:\s*(\d+)/m)?.[1];
    const model = info.match(/^model\s*:\s*(\d+)/m)?.[1];
    return family && model ? `${name} (family ${family}, model ${model})` : name;
  } catch {
    return name;
  }
}

function gitCommit(): string | undefined {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
}

// `--median`: figures from the median repetition instead of the fastest one. `--only a,b`: systems whose
// name contains a or b (a quick partial run; the goals then lack their peers). `--rounds n`: every system
// runs n times, in turn, and each cell keeps its fastest round (default 3), so a burst of other work on
// the shared cores during one system's run does not decide its ratios. With 2, two full runs in a row
// still disagreed on three goals, each met in one and missed in the other.
const statistic = process.argv.includes("--median") ? "median" : "best";
const roundsArg = process.argv.includes("--rounds") ? Number(process.argv[process.argv.indexOf("--rounds") + 1]) : 3;
if (!Number.isInteger(roundsArg) || roundsArg < 1) throw new Error(`bench: --rounds must be a positive integer`);
const only = process.argv[process.argv.indexOf("--only") + 1]?.split(",");
const selected = process.argv.includes("--only")
  ? children.filter((c) => only?.some((part) => c.system.includes(part)))
  : children;

/** The outcomes with each cell's `value` taken from the chosen statistic. */
function byStatistic(list: Outcome[]): Outcome[] {
  if (statistic === "median") return list;
  return list.map((o) => {
    if ("missing" in o) return o;
    const cells = Object.fromEntries(
      Object.entries(o.cells).map(([key, cell]) => [key, "best" in cell ? { ...cell, value: cell.best } : cell]),
    );
    return { ...o, cells };
  });
}

const startedAt = new Date();
const loadBefore = os.loadavg();
// Measured before and after the rounds, keeping the higher: the peak bounds every SGEMM cell.
const peakProbe = buildPeakProbe(benchDir, join(root, "build", "bench"));
const peakBefore = measurePeak(peakProbe);
const runs: Outcome[] = [];
for (let round = 1; round <= roundsArg; round++) {
  process.stderr.write(`bench: round ${round} of ${roundsArg}\n`);
  for (const child of selected) runs.push(await run(child));
}
const peak = higherPeak(peakBefore, measurePeak(peakProbe));
const outcomes = mergeRounds(runs, statistic === "best" ? "bestMs" : "ms");
const view = byStatistic(outcomes);

const torch = outcomes.find((o) => o.system === "torch 1t");
const machine = {
  cpu: cpuModel(),
  cores: os.cpus().length,
  flags: cpuFlags(),
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  node: process.version,
  torch: torch && "info" in torch ? torch.info.torch : undefined,
  loadAverage: { before: loadBefore, after: os.loadavg() },
};

const results = resultsTable(view);
const ratios = ratioTables(view);
const goalList = goals(view);
const minutes = ((Date.now() - startedAt.getTime()) / 60_000).toFixed(1);

const markdown = [
  `## descent benchmark, ${startedAt.toISOString().slice(0, 16).replace("T", " ")} UTC (commit ${gitCommit() ?? "?"})`,
  "",
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.flags.join(" ")}; Node ${machine.node}; torch ${machine.torch ?? "missing"}. ` +
    `Load average before/after: ${loadBefore[0]?.toFixed(2)}/${machine.loadAverage.after[0]?.toFixed(2)}. Run took ${minutes} min.`,
  "",
  ...(loadBefore[0] !== undefined && loadBefore[0] > 0.5
    ? [
        `**The machine was busy** (load average ${loadBefore[0].toFixed(2)} before the run): other work shared the cores, so figures are low and noisy; compare ratios and rerun on a quiet machine.`,
        "",
      ]
    : []),
  `Time per call in the ${statistic === "best" ? "fastest" : "median"} of ` +
    `${defaultTiming.reps} repetitions of ≥ ${defaultTiming.minRepMs} ms after warm-up (fewer for slow calls), ` +
    `the fastest of ${roundsArg} rounds in which every system ran in turn. ` +
    "SGEMM in GFLOPS (higher is better), the rest in ms (lower is better).",
  "",
  results.markdown,
  "",
  ...(results.notes.length ? ["Notes:", "", ...results.notes.map((n) => `- ${n}`), ""] : []),
  "### Goals (issue 4)",
  "",
  goalsMarkdown(goalList),
  "",
  "### Against the hardware",
  "",
  peakMarkdown(view, peak),
  "",
  "### Ratios",
  "",
  ratioMarkdown(ratios),
  "",
].join("\n");

process.stdout.write(markdown);
const resultsDir = join(benchDir, "results");
fs.mkdirSync(resultsDir, { recursive: true });
const json = {
  date: startedAt.toISOString(),
  commit: gitCommit(),
  machine,
  peak,
  timing: { ...defaultTiming, statistic, rounds: roundsArg },
  outcomes,
  ratios,
  goals: goalList,
};
const jsonPath = join(resultsDir, selected === children ? "latest.json" : "partial.json");
fs.writeFileSync(jsonPath, `${JSON.stringify(json, null, 2)}\n`);
process.stderr.write(`bench: wrote ${jsonPath}\n`);
