// Runtime choice: native, then wasm, then js; DESCENT_BACKEND forces one.
import { execFileSync } from "node:child_process";
import { expect, test } from "vitest";

function inFreshProcess(env: Record<string, string | undefined>): string {
  const script = 'import { backendInfo } from "descent"; console.log(JSON.stringify(backendInfo()));';
  return execFileSync("npx", ["tsx", "--conditions=source", "--input-type=module", "-e", script], {
    env: { ...process.env, DESCENT_BACKEND: undefined, ...env },
    encoding: "utf8",
  });
}

test("without DESCENT_BACKEND the native backend is chosen first, with its SIMD level", () => {
  const info = JSON.parse(inFreshProcess({}));
  expect(info.name).toBe("native");
  expect(info.tried).toEqual([{ name: "native", ok: true }]);
  expect(info.simd).toMatch(/avx2/);
});

test.each(["wasm", "js"])("DESCENT_BACKEND=%s forces that backend", (name) => {
  expect(JSON.parse(inFreshProcess({ DESCENT_BACKEND: name })).name).toBe(name);
});

test("an unknown DESCENT_BACKEND is an error naming the value", () => {
  expect(() => inFreshProcess({ DESCENT_BACKEND: "cuda" })).toThrow(/DESCENT_BACKEND: unknown backend "cuda"/);
});
