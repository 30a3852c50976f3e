// Which build of the wasm module to run: descent-relaxed.wasm, whose matrix products use
// relaxed SIMD's fused multiply-add (~1.4x faster on CPUs with FMA), where the engine
// accepts it; else descent.wasm, SIMD128 only, which every engine with SIMD runs.

/** The two builds of scripts/build-wasm, by the instruction set they need. */
export const wasmFiles = {
  relaxed: "build/wasm/descent-relaxed.wasm",
  simd128: "build/wasm/descent.wasm",
} as const;
export type WasmVariant = keyof typeof wasmFiles;

/** The variant to load and, when it is not the relaxed one, why. */
export interface VariantChoice {
  variant: WasmVariant;
  skipped?: string;
}

// The smallest module using relaxed SIMD, so that support is known before fetching
// either build: (func (param v128 v128 v128) (result v128) (f32x4.relaxed_madd ...)).
// biome-ignore format: one line per section of the module
const relaxedProbe = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // "\0asm", version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128 v128 v128) -> v128
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, // body: local.get 0, 1, 2
  0xfd, 0x85, 0x02, 0x0b, // f32x4.relaxed_madd (0xfd 0x105), end
]);

const isNode = typeof process !== "undefined" && typeof process.versions?.node === "string";

/** Why this engine cannot run relaxed SIMD, or undefined when it can. */
function relaxedSimdRejected(): string | undefined {
  if (WebAssembly.validate(relaxedProbe)) return undefined;
  const v8 = isNode ? process.versions.v8 : undefined;
  if (v8 === undefined) return "this engine does not validate relaxed SIMD";
  // Node 20's V8 11.3 has relaxed SIMD as shipped behind this flag, which V8 11.4 turned
  // on by default (Node 22, Chrome 114); older V8s implemented drafts with other opcodes.
  // Node 20 is past end-of-life, so this gives it what every newer Node does.
  if (v8.startsWith("11.3.") && typeof process.getBuiltinModule === "function") {
    process.getBuiltinModule("node:v8").setFlagsFromString("--experimental-wasm-relaxed-simd");
    if (WebAssembly.validate(relaxedProbe)) return undefined;
    return `V8 ${v8} rejects relaxed SIMD even with --experimental-wasm-relaxed-simd`;
  }
  return `V8 ${v8} does not validate relaxed SIMD`;
}

/**
 * The build to load: relaxed where the engine runs it. `DESCENT_WASM_SIMD` (Node) may
 * force one: `simd128` the plain build, `relaxed` the relaxed one or an Error.
 */
export function chooseVariant(): VariantChoice {
  const forced = isNode ? process.env.DESCENT_WASM_SIMD || undefined : undefined;
  if (forced === "simd128") return { variant: "simd128", skipped: "relaxed SIMD: DESCENT_WASM_SIMD=simd128" };
  if (forced !== undefined && forced !== "relaxed") {
    throw new Error(`DESCENT_WASM_SIMD: unknown value "${forced}"; expected simd128 or relaxed`);
  }
  const rejected = relaxedSimdRejected();
  if (rejected === undefined) return { variant: "relaxed" };
  if (forced === "relaxed") throw new Error(`DESCENT_WASM_SIMD=relaxed: ${rejected}`);
  return { variant: "simd128", skipped: `relaxed SIMD: ${rejected}` };
}
