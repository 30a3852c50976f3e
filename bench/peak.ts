// Builds and runs bench/peak.c: one core's FMA peak, the bound every SGEMM row is set against.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { join } from "node:path";

/** One core's measured single-precision peak, or why it is unknown. */
export type Peak = { isa: string; gflops: number } | { missing: string };

function messageOf(error: unknown): string {
  const stderr = (error as { stderr?: unknown }).stderr;
  const detail = typeof stderr === "string" && stderr.trim() !== "" ? stderr.trim() : String(error);
  return detail.split("\n")[0]?.slice(0, 200) ?? "unknown error";
}

/** Compiles peak.c for this CPU (`cc -march=native`) into `buildDir`; the executable's path or why not. */
export function buildPeakProbe(benchDir: string, buildDir: string): { path: string } | { missing: string } {
  const path = join(buildDir, "peak");
  try {
    fs.mkdirSync(buildDir, { recursive: true });
    execFileSync("cc", ["-O2", "-march=native", "-o", path, join(benchDir, "peak.c")], { encoding: "utf8" });
    return { path };
  } catch (error) {
    return { missing: `cannot build bench/peak.c with cc: ${messageOf(error)}` };
  }
}

/** Runs the probe once (~1 s). */
export function measurePeak(probe: { path: string } | { missing: string }): Peak {
  if ("missing" in probe) return probe;
  try {
    const parsed = JSON.parse(execFileSync(probe.path, { encoding: "utf8" })) as Record<string, unknown>;
    if (typeof parsed.missing === "string") return { missing: parsed.missing };
    if (typeof parsed.isa === "string" && typeof parsed.gflops === "number") {
      return { isa: parsed.isa, gflops: parsed.gflops };
    }
    return { missing: "bench/peak.c printed no figure" };
  } catch (error) {
    return { missing: `bench/peak.c failed: ${messageOf(error)}` };
  }
}

/** The higher of two measurements: a slow minute on the shared cores only ever lowers one. */
export function higherPeak(a: Peak, b: Peak): Peak {
  if ("missing" in a) return b;
  if ("missing" in b) return a;
  return b.gflops > a.gflops ? b : a;
}
