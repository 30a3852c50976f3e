// The benchmark's merging of rounds: each cell from the round whose call was fastest.
import { describe, expect, test } from "vitest";
import type { Cell } from "../bench/measure.js";
import { mergeRounds, type Outcome } from "../bench/report.js";

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
