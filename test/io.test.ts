// save/load in the safetensors format: round trips on every backend, a file built by
// hand, files PyTorch reads and writes (scripts/check-safetensors.py), and corrupted
// files, which must throw naming the file and the fault while creating no tensor.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, test, vi } from "vitest";
import { getBackend, load, nn, save, type Tensor, tensor, zeros } from "../ts/index.js";
import { describeEachBackend, testValues } from "./backends.js";

const dir = mkdtempSync(join(tmpdir(), "descent-io-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const values = testValues(99);
const python = "/usr/bin/python3";

/** Runs scripts/check-safetensors.py; a missing python3 or torch fails the test with the reason. */
function runPython(...args: string[]): string {
  try {
    return execFileSync(python, ["scripts/check-safetensors.py", ...args], { encoding: "utf8", stdio: "pipe" });
  } catch (error) {
    const e = error as { code?: string; stdout?: string; stderr?: string; message: string };
    if (e.code === "ENOENT") throw new Error(`${python} is missing: run scripts/setup, which installs python3-torch`);
    throw new Error(`check-safetensors.py ${args[0]} failed:\n${e.stdout ?? ""}${e.stderr ?? e.message}`);
  }
}

/** A state dict covering the edge shapes: scalar, empty, 1-D, 3-D. */
function sampleStateDict(): Record<string, Tensor> {
  return {
    "layers.0.weight": tensor(values(12), { shape: [3, 4] }),
    "layers.0.bias": tensor(values(3), { shape: [3] }),
    "a.cube": tensor(values(24), { shape: [2, 3, 4] }),
    scalar: tensor(-1.25),
    empty: zeros([0, 5]),
  };
}

/** The tensors' shapes and values as plain data, for exact comparison and for the Python side. */
const plain = (sd: Record<string, Tensor>) =>
  Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, { shape: [...t.shape], values: [...t.toFloat32Array()] }]));

const sortedKeys = (o: object) => Object.keys(o).sort();

describeEachBackend("save and load", (backend) => {
  test("a state dict round-trips exactly, onto the active backend", async () => {
    const sd = sampleStateDict();
    const path = join(dir, `round-trip-${backend}.safetensors`);
    await save(sd, path);
    const loaded = await load(path);
    expect(Object.keys(loaded)).toEqual(sortedKeys(sd));
    expect(plain(loaded)).toEqual(plain(sd));
    for (const t of Object.values(loaded)) expect(t.backend.name).toBe(backend);
  });

  test("the file has the safetensors layout: padded header, sorted keys, tensors back to back", async () => {
    const path = join(dir, `layout-${backend}.safetensors`);
    await save({ b: tensor([1, 2]), a: tensor([[3], [4], [5]]) }, path);
    const bytes = readFileSync(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    const text = bytes.subarray(8, 8 + headerLength).toString("utf8");
    expect(text.trimEnd()).toBe(
      '{"a":{"dtype":"F32","shape":[3,1],"data_offsets":[0,12]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}',
    );
    expect(text.slice(text.trimEnd().length)).toMatch(/^ *$/);
    const data = bytes.subarray(8 + headerLength);
    expect([0, 1, 2, 3, 4].map((i) => data.readFloatLE(4 * i))).toEqual([3, 4, 5, 1, 2]);
  });

  test("a module's state dict saves under PyTorch's key names", async () => {
    const model = new nn.Linear(3, 2);
    const path = join(dir, `linear-${backend}.safetensors`);
    await save(model.stateDict(), path);
    const loaded = await load(path);
    expect(Object.keys(loaded)).toEqual(["bias", "weight"]);
    expect(plain(loaded)).toEqual(plain(model.stateDict()));
  });

  test("PyTorch reads what descent writes", async () => {
    const sd = sampleStateDict();
    const path = join(dir, `to-torch-${backend}.safetensors`);
    await save(sd, path);
    writeFileSync(`${path}.json`, JSON.stringify(plain(sd)));
    expect(runPython("read", path, `${path}.json`)).toMatch(/^OK: torch .* read 5 tensors/);
  });

  test("descent reads what PyTorch writes", async () => {
    const path = join(dir, `from-torch-${backend}.safetensors`);
    expect(runPython("write", path, `${path}.json`)).toMatch(/^OK: torch/);
    const expected = JSON.parse(readFileSync(`${path}.json`, "utf8"));
    const loaded = await load(path);
    expect(sortedKeys(loaded)).toEqual(["0.bias", "0.weight", "2.bias", "2.weight", "empty", "scalar"]);
    expect(plain(loaded)).toEqual(expected);
  });
});

test("the PyTorch check fails on a value that differs", async () => {
  const path = join(dir, "differs.safetensors");
  await save({ w: tensor([1, 2, 3]) }, path);
  writeFileSync(`${path}.json`, JSON.stringify({ w: { shape: [3], values: [1, 2, 3.5] } }));
  expect(() => runPython("read", path, `${path}.json`)).toThrow(/MISMATCH w: got shape \[3\] \[1\.0, 2\.0, 3\.0\]/);
});

describe("load of a hand-built file", () => {
  test("reads metadata, unpadded headers and data in any order", async () => {
    const header = JSON.stringify({
      __metadata__: { format: "pt", note: "made by hand" },
      w: { dtype: "F32", shape: [2, 2], data_offsets: [8, 24] },
      b: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
    });
    const path = join(dir, "hand.safetensors");
    writeFileSync(path, fileOf(header, [0.5, -1, 1, 2, 3, 4]));
    const loaded = await load(path);
    expect(Object.keys(loaded)).toEqual(["b", "w"]);
    expect(loaded.b?.toArray()).toEqual([0.5, -1]);
    expect(loaded.w?.toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });
});

/** A safetensors file: the header length, `header` as given (no padding) and the floats. */
function fileOf(header: string, floats: number[], headerLength?: number): Buffer {
  const json = Buffer.from(header, "utf8");
  const bytes = Buffer.alloc(8 + json.length + 4 * floats.length);
  bytes.writeBigUInt64LE(BigInt(headerLength ?? json.length), 0);
  json.copy(bytes, 8);
  floats.forEach((v, i) => {
    bytes.writeFloatLE(v, 8 + json.length + 4 * i);
  });
  return bytes;
}

const entry = (dtype: unknown, shape: unknown, offsets: unknown) => ({ dtype, shape, data_offsets: offsets });
const headerOf = (entries: object) => JSON.stringify(entries);
const good = headerOf({ a: entry("F32", [2], [0, 8]), b: entry("F32", [1], [8, 12]) });

describe("load of a corrupted file throws naming the file and the fault, and creates no tensor", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const cases: [string, Buffer, RegExp][] = [
    ["an empty file", Buffer.alloc(0), /it has 0 bytes, fewer than the 8 of the header length/],
    [
      "a file cut inside the header",
      fileOf(good, [1, 2, 3]).subarray(0, 30),
      /header length \d+ exceeds the 22 bytes after it/,
    ],
    [
      "a file cut inside the data",
      fileOf(good, [1, 2, 3]).subarray(0, 8 + good.length + 10),
      /tensor "b" has data_offsets \[8, 12\] outside the data section of 10 bytes/,
    ],
    ["a huge header length", fileOf(good, [1, 2, 3], 2 ** 40), /header length 1099511627776 exceeds/],
    ["a header that is not JSON", fileOf(`${good.slice(0, -1)},`, [1, 2, 3]), /header is not valid JSON/],
    [
      "a header that is not UTF-8",
      Buffer.concat([fileOf("{}", []).subarray(0, 8), Buffer.from([0xff, 0xfe])]),
      /not valid JSON/,
    ],
    ["a header that is an array", fileOf("[1, 2]", []), /header is \[1,2\], not a JSON object/],
    [
      "a dtype other than F32",
      fileOf(headerOf({ a: entry("F64", [1], [0, 8]) }), [1, 2]),
      /tensor "a" has dtype "F64"; only F32/,
    ],
    [
      "a negative dimension",
      fileOf(headerOf({ a: entry("F32", [-2], [0, 8]) }), [1, 2]),
      /tensor "a" has shape \[-2\]/,
    ],
    [
      "a missing shape",
      fileOf(headerOf({ a: { dtype: "F32", data_offsets: [0, 8] } }), [1, 2]),
      /tensor "a" has shape undefined/,
    ],
    [
      "offsets that are not a pair",
      fileOf(headerOf({ a: entry("F32", [2], [0]) }), [1, 2]),
      /tensor "a" has data_offsets \[0\]/,
    ],
    [
      "offsets past the data",
      fileOf(headerOf({ a: entry("F32", [2], [4, 12]) }), [1, 2]),
      /data_offsets \[4, 12\] outside the data section of 8 bytes/,
    ],
    ["offsets in reverse", fileOf(headerOf({ a: entry("F32", [0], [8, 4]) }), [1, 2]), /data_offsets \[8, 4\] outside/],
    [
      "a byte count that does not match the shape",
      fileOf(headerOf({ a: entry("F32", [3], [0, 8]) }), [1, 2]),
      /shape \[3\] needs 12 bytes but data_offsets span 8/,
    ],
    [
      "overlapping tensors",
      fileOf(headerOf({ a: entry("F32", [2], [0, 8]), b: entry("F32", [2], [4, 12]) }), [1, 2, 3]),
      /tensor "b" at data_offsets \[4, 12\] overlaps the tensor before it/,
    ],
    [
      "a gap between tensors",
      fileOf(headerOf({ a: entry("F32", [1], [4, 8]) }), [1, 2]),
      /bytes 0 to 4 of the data section belong to no tensor/,
    ],
    ["trailing bytes", fileOf(good, [1, 2, 3, 4]), /cover 12 bytes but the data section has 16/],
    [
      "metadata that is not strings",
      fileOf(headerOf({ __metadata__: { n: 1 } }), []),
      /__metadata__ must map strings to strings/,
    ],
  ];

  test.each(cases)("%s", async (name, bytes, fault) => {
    const path = join(dir, `${name.replaceAll(" ", "-")}.safetensors`);
    writeFileSync(path, bytes);
    const backend = tensor(0).backend;
    const created = vi.spyOn(backend, "fromFloat32Array");
    const error = await load(path).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`load: ${path} is not a valid safetensors file: `);
    expect((error as Error).message).toMatch(fault);
    expect(created).not.toHaveBeenCalled();
  });

  test("a missing file names the path", async () => {
    await expect(load(join(dir, "nowhere.safetensors"))).rejects.toThrow(/load: cannot read .*nowhere\.safetensors/);
  });
});

describe("save", () => {
  test("replaces an existing file and leaves no temporary file behind", async () => {
    const sub = mkdtempSync(join(dir, "atomic-"));
    const path = join(sub, "model.safetensors");
    await save({ x: tensor([1, 2, 3]) }, path);
    await save({ y: tensor([4]) }, path);
    expect(readdirSync(sub)).toEqual(["model.safetensors"]);
    expect(plain(await load(path))).toEqual({ y: { shape: [1], values: [4] } });
  });

  test("rejects what is not a state dict of live tensors, writing nothing", async () => {
    const path = join(dir, "never.safetensors");
    const disposed = tensor([1]);
    disposed.dispose();
    await expect(save({ w: [1, 2] as never }, path)).rejects.toThrow(/save: stateDict\["w"\] is 1,2, not a Tensor/);
    await expect(save({ w: disposed }, path)).rejects.toThrow(/save: stateDict\["w"\] was disposed/);
    await expect(save({ __metadata__: tensor([1]) }, path)).rejects.toThrow(/"__metadata__" is reserved/);
    await expect(save(null as never, path)).rejects.toThrow(/stateDict must be an object/);
    expect(readdirSync(dir)).not.toContain("never.safetensors");
  });

  test("an unwritable path throws naming it", async () => {
    await expect(save({ x: tensor([1]) }, join(dir, "no-such-dir", "m.safetensors"))).rejects.toThrow(
      /save: cannot write .*no-such-dir\/m\.safetensors/,
    );
  });

  test("runs on the backend in use", () => {
    expect(["native", "wasm", "js"]).toContain(getBackend());
  });
});
