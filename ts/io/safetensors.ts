/**
 * The safetensors format, as the `safetensors` library writes it: an 8-byte
 * little-endian header length, a JSON header `{ name: { dtype, shape, data_offsets } }`
 * (plus an optional "__metadata__" of strings) padded with spaces to a multiple of 8,
 * then the tensors' little-endian bytes, back to back in the header's key order.
 */

/** A float32 array of a given shape, as stored in a file. */
export interface StoredTensor {
  shape: number[];
  values: Float32Array;
}

const metadataKey = "__metadata__";
const maxHeaderBytes = 100_000_000; // the limit the safetensors library enforces

/** The bytes of a safetensors file holding `tensors`, sorted by name as the safetensors library sorts them. */
export function encodeSafetensors(tensors: Record<string, StoredTensor>): Uint8Array {
  const names = Object.keys(tensors).sort();
  let offset = 0;
  // fromEntries, not assignment, so a key such as "__proto__" stays an ordinary key.
  const header = Object.fromEntries(
    names.map((name) => {
      const { shape, values } = tensors[name] as StoredTensor;
      offset += values.length * 4;
      return [name, { dtype: "F32", shape, data_offsets: [offset - values.length * 4, offset] }];
    }),
  );
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + headerLength + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(headerLength), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const name of names) {
    for (const v of (tensors[name] as StoredTensor).values) {
      view.setFloat32(at, v, true);
      at += 4;
    }
  }
  return bytes;
}

interface Entry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
/** A header value for a message, cut short: a corrupted header can be megabytes of JSON. */
const show = (v: unknown): string => {
  const text = String(JSON.stringify(v));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** Checks one header entry against the data section's length, naming the key and the fault. */
function parseEntry(name: string, info: unknown, dataLength: number, fail: (problem: string) => never): Entry {
  if (!isObject(info)) fail(`entry "${name}" is ${show(info)}, not an object`);
  const { dtype, shape, data_offsets: offsets } = info;
  if (dtype !== "F32") fail(`tensor "${name}" has dtype ${show(dtype)}; only F32 is supported`);
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    fail(`tensor "${name}" has shape ${show(shape)}; expected an array of non-negative integers`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    fail(`tensor "${name}" has data_offsets ${show(offsets)}; expected [begin, end]`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > dataLength) {
    fail(
      `tensor "${name}" has data_offsets [${begin}, ${end}] outside the data section of ${dataLength} bytes (truncated or corrupted)`,
    );
  }
  const numel = shape.reduce((n: number, d: number) => n * d, 1);
  if (end - begin !== numel * 4) {
    fail(
      `tensor "${name}" of shape [${shape.join(", ")}] needs ${numel * 4} bytes but data_offsets span ${end - begin}`,
    );
  }
  return { name, shape, begin, end };
}

/**
 * The tensors of a safetensors file, by name in sorted order. Everything is checked
 * before any tensor is read, and any fault throws naming `source` and the problem.
 */
export function decodeSafetensors(bytes: Uint8Array, source: string): Record<string, StoredTensor> {
  const fail = (problem: string): never => {
    throw new Error(`load: ${source} is not a valid safetensors file: ${problem}`);
  };
  if (bytes.length < 8) fail(`it has ${bytes.length} bytes, fewer than the 8 of the header length`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) {
    fail(`the header length ${headerLength} exceeds the ${bytes.length - 8} bytes after it (truncated or corrupted)`);
  }
  if (headerLength > BigInt(maxHeaderBytes)) fail(`the header length ${headerLength} exceeds ${maxHeaderBytes} bytes`);
  const dataStart = 8 + Number(headerLength);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, dataStart)));
  } catch (error) {
    fail(`the header is not valid JSON (${(error as Error).message})`);
  }
  if (!isObject(header)) fail(`the header is ${show(header)}, not a JSON object`);
  const dataLength = bytes.length - dataStart;
  const entries: Entry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === metadataKey) {
      if (!isObject(info) || !Object.values(info).every((v) => typeof v === "string")) {
        fail(`${metadataKey} must map strings to strings, got ${show(info)}`);
      }
      continue;
    }
    entries.push(parseEntry(name, info, dataLength, fail));
  }
  // As the safetensors library checks: sorted by offset, the tensors tile the data section exactly.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const { name, begin, end } of byOffset) {
    if (begin !== expected) {
      fail(
        begin < expected
          ? `tensor "${name}" at data_offsets [${begin}, ${end}] overlaps the tensor before it (which ends at ${expected})`
          : `bytes ${expected} to ${begin} of the data section belong to no tensor`,
      );
    }
    expected = end;
  }
  if (expected !== dataLength) {
    fail(`the tensors cover ${expected} bytes but the data section has ${dataLength} (truncated or corrupted)`);
  }
  return Object.fromEntries(
    entries
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map(({ name, shape, begin, end }) => {
        const values = new Float32Array((end - begin) / 4);
        for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(dataStart + begin + i * 4, true);
        return [name, { shape, values }];
      }),
  );
}
