// Turns the children's reports into the markdown table, descent's ratios to each peer
// and the goals, all from figures of the same run.
import type { Cell, ChildReport, Skipped } from "./measure.js";
import { linreg, sgemmCases, trainingKeys } from "./measure.js";
import type { Peak } from "./peak.js";

/** A system's outcome: its report, or why it could not run at all. */
export type Outcome = ChildReport | { system: string; missing: string };

/**
 * One outcome per system from several rounds of runs: per cell, the round whose call was
 * fastest by `time` (the fastest or the median repetition's), since other work on shared
 * cores only ever slows a round down. A system is missing only if every round missed it.
 */
export function mergeRounds(rounds: Outcome[], time: "bestMs" | "ms"): Outcome[] {
  const bySystem = new Map<string, Outcome[]>();
  for (const o of rounds) bySystem.set(o.system, [...(bySystem.get(o.system) ?? []), o]);
  return [...bySystem.values()].map((list) => {
    const reports = list.filter((o): o is ChildReport => "cells" in o);
    const [first] = reports;
    if (first === undefined) return list[0] as Outcome;
    const cells: ChildReport["cells"] = {};
    for (const report of reports) {
      for (const [key, cell] of Object.entries(report.cells)) {
        const kept = cells[key];
        // A measured cell beats a skipped one, and a faster one a slower one.
        const better =
          kept === undefined ||
          ("skipped" in kept ? !("skipped" in cell) : !("skipped" in cell) && cell[time] < kept[time]);
        if (better) cells[key] = cell;
      }
    }
    return { system: first.system, info: { ...first.info, rounds: reports.length }, cells };
  });
}

/** Column order of the table; the first five are descent's. */
export const columns = [
  "descent native 1t",
  "descent native 2t",
  "descent wasm",
  "descent wasm simd128",
  "descent js",
  "tfjs cpu",
  "tfjs wasm",
  "onnxruntime",
  "torch 1t",
  "torch 2t",
  "numpy 1t",
  "numpy 2t",
] as const;

const rows = [...sgemmCases.map((c) => c.key), ...trainingKeys];
const peers = columns.slice(5);
const descentVariants = ["descent native 1t", "descent native 2t", "descent wasm"] as const;

export interface Goal {
  goal: string;
  status: "met" | "not met" | "not measured";
  detail: string;
}

type Lookup = (system: string, key: string) => Cell | undefined;

function lookupIn(outcomes: Outcome[]): Lookup {
  return (system, key) => {
    const outcome = outcomes.find((o) => o.system === system);
    const cell = outcome && "cells" in outcome ? outcome.cells[key] : undefined;
    return cell && "value" in cell ? cell : undefined;
  };
}

const unitOf = (key: string) => (key.startsWith("sgemm") ? "GFLOPS, higher is better" : "ms, lower is better");
const format = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3));

/** How many times faster descent is than the peer (> 1: descent is faster), whatever the unit. */
function speedup(ours: Cell | undefined, theirs: Cell | undefined): number | undefined {
  if (!ours || !theirs) return undefined;
  return ours.unit === "GFLOPS" ? ours.value / theirs.value : theirs.value / ours.value;
}

/** A markdown table with padded columns, readable as plain text too. */
function table(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(3, h.length, ...body.map((row) => row[i]?.length ?? 0)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** Why cells were skipped, one line per system and reason: "all cases" when a reason covers a whole system. */
function skippedNotes(outcomes: Outcome[]): string[] {
  const notes: string[] = [];
  for (const o of outcomes) {
    if ("missing" in o) {
      notes.push(`${o.system}: missing — ${o.missing}`);
      continue;
    }
    if (typeof o.info.note === "string") notes.push(`${o.system}: ${o.info.note}`);
    const byReason = new Map<string, string[]>();
    for (const [key, cell] of Object.entries(o.cells)) {
      if ("skipped" in cell) byReason.set(cell.skipped, [...(byReason.get(cell.skipped) ?? []), key]);
    }
    for (const [reason, keys] of byReason) {
      const which = keys.length === Object.keys(o.cells).length ? "all cases" : keys.join(", ");
      notes.push(`${o.system} (${which}): ${reason}`);
    }
  }
  return notes;
}

/** Every measurement, one column per system; "—" marks a cell that was skipped or failed, "n/a" one the peer does not run. */
export function resultsTable(outcomes: Outcome[]): { markdown: string; notes: string[] } {
  const body = rows.map((key) => [
    `${key} (${unitOf(key).split(",")[0]})`,
    ...columns.map((system) => {
      const outcome = outcomes.find((o) => o.system === system);
      if (!outcome) return "not run";
      if ("missing" in outcome) return "—";
      const cell: Cell | Skipped | undefined = outcome.cells[key];
      return !cell ? "n/a" : "skipped" in cell ? "—" : format(cell.value);
    }),
  ]);
  const header = ["what", ...columns.map((c) => c.replace(/^descent /, ""))];
  header[1] = "descent native 1t";
  return { markdown: table(header, body), notes: skippedNotes(outcomes) };
}

/** For each of descent native 1t/2t and wasm: how many times faster than each peer (> 1 is faster). */
export function ratioTables(outcomes: Outcome[]): Record<string, Record<string, Record<string, number | null>>> {
  const get = lookupIn(outcomes);
  const result: Record<string, Record<string, Record<string, number | null>>> = {};
  for (const ours of descentVariants) {
    result[ours] = {};
    for (const key of rows) {
      const byPeer: Record<string, number | null> = {};
      for (const peer of peers) byPeer[peer] = speedup(get(ours, key), get(peer, key)) ?? null;
      result[ours][key] = byPeer;
    }
  }
  return result;
}

export function ratioMarkdown(ratios: ReturnType<typeof ratioTables>): string {
  return descentVariants
    .map((ours) => {
      const measured = Object.values(ratios[ours] ?? {}).some((byPeer) =>
        Object.values(byPeer).some((r) => r !== null),
      );
      if (!measured) return `**${ours}**: not measured (see the notes above)`;
      const body = rows.map((key) => [
        key,
        ...peers.map((peer) => {
          const r = ratios[ours]?.[key]?.[peer];
          return r === null || r === undefined ? "" : `${r.toFixed(2)}x`;
        }),
      ]);
      return `**${ours}**, times faster than each peer (> 1: descent is faster)\n\n${table(["what", ...peers], body)}`;
    })
    .join("\n\n");
}

/** The systems whose SGEMM is set against the peak: the native ones, by the threads they ran. */
const nativeSystems = ["descent native 1t", "numpy 1t", "torch 1t", "descent native 2t", "numpy 2t", "torch 2t"];

/**
 * Each native system's SGEMM as a share of the measured peak of the cores it ran on (one
 * core's peak times the threads in its name), or why there is no such table.
 */
export function peakMarkdown(outcomes: Outcome[], peak: Peak): string {
  if ("missing" in peak) return `Not measured: ${peak.missing}.`;
  const get = lookupIn(outcomes);
  const body = sgemmCases.map(({ key }) => [
    key,
    ...nativeSystems.map((system) => {
      const cell = get(system, key);
      const threads = Number(/(\d+)t$/.exec(system)?.[1]);
      return cell ? `${((100 * cell.value) / (peak.gflops * threads)).toFixed(0)}%` : "—";
    }),
  ]);
  return [
    `One core's FMA peak, measured by bench/peak.c (${peak.isa}, no memory traffic): ${format(peak.gflops)} GFLOPS. ` +
      "Each SGEMM figure above as a share of that peak times its threads:",
    "",
    table(["what", ...nativeSystems], body),
  ].join("\n");
}

/** ours / theirs in their own unit (a time ratio for ms, a speed ratio for GFLOPS). */
const valueRatio = (ours: Cell | undefined, theirs: Cell | undefined) => ours && theirs && ours.value / theirs.value;

/** The goals, each judged on figures of this run. */
export function goals(outcomes: Outcome[]): Goal[] {
  const get = lookupIn(outcomes);
  const out: Goal[] = [];
  const judge = (goal: string, values: [label: string, value: number | undefined][], ok: (v: number) => boolean) => {
    const known = values.filter((v): v is [string, number] => v[1] !== undefined);
    const detail = values.map(([label, v]) => `${label} ${v === undefined ? "? (see notes)" : format(v)}`).join(", ");
    const status = known.length < values.length ? "not measured" : known.every(([, v]) => ok(v)) ? "met" : "not met";
    out.push({ goal, status, detail });
  };
  const big = sgemmCases.filter((c) => c.n >= 256).map((c) => c.key);
  judge(
    "native SGEMM 1t ≥ 0.95x OpenBLAS 1t for n ≥ 256, all three variants",
    big.map((k) => [`${k}:`, speedup(get("descent native 1t", k), get("numpy 1t", k))]),
    (v) => v >= 0.95,
  );
  const one = get("descent native 1t", "sgemm 1024");
  const two = get("descent native 2t", "sgemm 1024");
  judge("native 2 threads ≥ 1.7x 1 thread at n = 1024", [["2t/1t:", valueRatio(two, one)]], (v) => v >= 1.7);
  judge(
    "native MLP SGD step 1t ≤ 0.8x PyTorch 1t's time",
    [["native/torch time:", valueRatio(get("descent native 1t", "mlp SGD step"), get("torch 1t", "mlp SGD step"))]],
    (v) => v <= 0.8,
  );
  judge(
    `linear regression, ${linreg.steps} steps, native ≤ 2 ms`,
    [["native 1t ms:", get("descent native 1t", `linreg ${linreg.steps} steps`)?.value]],
    (v) => v <= 2,
  );
  const square = sgemmCases.filter((c) => c.n >= 256 && !c.transA && !c.transB).map((c) => c.key);
  judge(
    "wasm SGEMM ≥ 1.3x tfjs-wasm for n ≥ 256",
    square.map((k) => [`${k}:`, speedup(get("descent wasm", k), get("tfjs wasm", k))]),
    (v) => v >= 1.3,
  );
  judge(
    "wasm transposed SGEMM ≥ 40 GFLOPS",
    sgemmCases.filter((c) => c.transA || c.transB).map((c) => [`${c.key}:`, get("descent wasm", c.key)?.value]),
    (v) => v >= 40,
  );
  judge(
    "wasm MLP step ≤ 5 ms (SGD and Adam)",
    ["mlp SGD step", "mlp Adam step"].map((k) => [`${k}:`, get("descent wasm", k)?.value]),
    (v) => v <= 5,
  );
  return out;
}

export function goalsMarkdown(list: Goal[]): string {
  return table(
    ["goal", "status", "figures"],
    list.map((g) => [g.goal, g.status === "met" ? "**met**" : g.status, g.detail]),
  );
}
