import { setFlagsFromString } from "node:v8";
import { expect, test } from "vitest";
import type { Backend } from "../ts/backend/backend.js";
import { createJsBackend } from "../ts/backends/js/index.js";
import { loadNativeBackend } from "../ts/backends/native.js";
import { nativeConfigs, wasmBuilds } from "./backends.js";

// V8's own test of an object's layout, available once the flag is set; code compiled after that may use it.
setFlagsFromString("--allow-natives-syntax");
const hasFastProperties = new Function("o", "return %HasFastProperties(o)") as (o: object) => boolean;

test("every backend is an object of fast properties, as loaded twice with other options: each kernel call looks one up", () => {
  const loads: [string, () => Backend][] = [
    ...nativeConfigs,
    ...nativeConfigs,
    ["native, small calls in JavaScript, again", () => loadNativeBackend()],
    ...wasmBuilds,
    ...wasmBuilds,
    ["js float32", () => createJsBackend("float32")],
    ["js float64", () => createJsBackend("float64")],
  ];
  for (const [name, load] of loads) expect(hasFastProperties(load()), name).toBe(true);
});
