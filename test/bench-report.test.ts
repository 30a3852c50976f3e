// The benchmark's merging of rounds (each cell from the round whose call was fastest) and
// its SGEMM figures set against the measured peak.
import * as os from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { Cell } from "../bench/measure.js";
import { buildPeakProbe, higherPeak, measurePeak } from "../bench/peak.js";
import { mergeRounds, type Outcome, peakMarkdown } from "../bench/report.js";

const cell = (ms: number, bestMs: number): Cell => ({
  value: 1 / ms,
  best: 1 / bestMs,
  unit: "ms",
  ms,
  bestMs,
  reps: 7,
  iters: 1,
});

describe("bench rounds", () => {
  const rounds: Outcome[] = [
    { system: "a", info: {}, cells: { x: cell(5, 4), y: { skipped: "too slow" }, z: cell(1, 1) } },
    { system: "b", missing: "not installed" },
    { system: "a", info: {}, cells: { x: cell(3, 4.5), y: cell(9, 8) } },
    { system: "b", missing: "still not installed" },
    { system: "c", missing: "crashed" },
    { system: "c", info: {}, cells: { x: cell(2, 2) } },
  ];

  test("each cell keeps the round that was fastest by the chosen statistic", () => {
    const [a] = mergeRounds(rounds, "bestMs");
    expect(a).toMatchObject({ system: "a", info: { rounds: 2 } });
    const cells = (a as { cells: Record<string, Cell> }).cells;
    expect(cells.x?.bestMs).toBe(4);
    expect(cells.y?.bestMs).toBe(8);
    expect(cells.z?.bestMs).toBe(1);
    const [byMedian] = mergeRounds(rounds, "ms");
    expect((byMedian as { cells: Record<string, Cell> }).cells.x?.ms).toBe(3);
  });

  test("a system is missing only when every round missed it", () => {
    const merged = mergeRounds(rounds, "bestMs");
    expect(merged.map((o) => o.system)).toEqual(["a", "b", "c"]);
    expect(merged[1]).toEqual({ system: "b", missing: "not installed" });
    expect(merged[2]).toMatchObject({ system: "c", cells: { x: { bestMs: 2 } } });
  });
});

describe("bench peak", () => {
  const gflops = (value: number): Cell => ({ ...cell(1, 1), value, best: value, unit: "GFLOPS" });
  const outcomes: Outcome[] = [
    { system: "descent native 1t", info: {}, cells: { "sgemm 512": gflops(90), "sgemm 1024": gflops(45) } },
    { system: "descent native 2t", info: {}, cells: { "sgemm 512": gflops(150) } },
    { system: "numpy 1t", missing: "not installed" },
  ];

  test("each SGEMM figure is a share of the peak times the threads it ran", () => {
    const rows = peakMarkdown(outcomes, { isa: "avx2+fma", gflops: 100 }).split("\n");
    expect(rows[0]).toContain("(avx2+fma, no memory traffic): 100 GFLOPS");
    const row = (key: string) =>
      rows
        .find((r) => r.startsWith(`| ${key} `))
        ?.split("|")
        .map((c) => c.trim());
    // what, native 1t, numpy 1t, torch 1t, native 2t, numpy 2t, torch 2t
    expect(row("sgemm 512")).toEqual(["", "sgemm 512", "90%", "—", "—", "75%", "—", "—", ""]);
    expect(row("sgemm 1024")?.slice(2, 6)).toEqual(["45%", "—", "—", "—"]);
  });

  test("an unknown peak says why, and the higher of two measurements is kept", () => {
    expect(peakMarkdown(outcomes, { missing: "no cc" })).toBe("Not measured: no cc.");
    const low = { isa: "avx2+fma", gflops: 80 };
    const high = { isa: "avx2+fma", gflops: 99 };
    expect(higherPeak(low, high)).toBe(high);
    expect(higherPeak(high, low)).toBe(high);
    expect(higherPeak({ missing: "slow" }, low)).toBe(low);
    expect(higherPeak(low, { missing: "slow" })).toBe(low);
  });
});

test("bench/peak.c builds with cc and measures this CPU's vector FMAs", () => {
  const dir = join(os.tmpdir(), `descent-peak-${process.pid}`);
  const peak = measurePeak(buildPeakProbe(join(import.meta.dirname, "..", "bench"), dir));
  expect(peak).toMatchObject({ isa: expect.stringMatching(/^(avx512f|avx2\+fma|neon)$/) });
  // One core's FMA peak is tens of GFLOPS on any machine that runs this suite.
  expect("gflops" in peak && peak.gflops).toBeGreaterThan(5);
});
