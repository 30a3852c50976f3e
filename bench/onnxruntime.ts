// onnxruntime-node, matmul only, one intra-op thread, in its own process. The one-node
// ONNX model is written here as protobuf bytes (the few fields of onnx.proto it needs):
// MatMul for A·B, and Gemm with transA/transB for the transposed variants.
import * as ort from "onnxruntime-node";
import { measureAsync, randomFloats, runChild, sgemmCases, sgemmFlop } from "./measure.js";

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** A protobuf field: a varint for numbers, length-delimited bytes for strings and sub-messages. */
function field(num: number, value: number | string | number[]): number[] {
  if (typeof value === "number") return [...varint(num << 3), ...varint(value)];
  const bytes = typeof value === "string" ? [...new TextEncoder().encode(value)] : value;
  return [...varint((num << 3) | 2), ...varint(bytes.length), ...bytes];
}

/** ValueInfoProto: a float tensor of the given shape. */
function valueInfo(name: string, shape: number[]): number[] {
  const dims = shape.flatMap((d) => field(1, field(1, d))); // TensorShapeProto.dim { dim_value }
  const tensorType = [...field(1, 1), ...field(2, dims)]; // elem_type FLOAT, shape
  return [...field(1, name), ...field(2, field(1, tensorType))]; // name, type { tensor_type }
}

/** AttributeProto of type INT (field 20 = type, 2 = INT). */
const intAttribute = (name: string, value: number) => [...field(1, name), ...field(3, value), ...field(20, 2)];

function matmulModel(n: number, transA: boolean, transB: boolean): Uint8Array {
  const gemm = transA || transB;
  const node = [
    ...field(1, "A"),
    ...field(1, "B"),
    ...field(2, "Y"),
    ...field(4, gemm ? "Gemm" : "MatMul"),
    ...(gemm ? [...field(5, intAttribute("transA", +transA)), ...field(5, intAttribute("transB", +transB))] : []),
  ];
  const graph = [
    ...field(1, node),
    ...field(2, "sgemm"),
    ...field(11, valueInfo("A", [n, n])),
    ...field(11, valueInfo("B", [n, n])),
    ...field(12, valueInfo("Y", [n, n])),
  ];
  // ir_version 7, graph, opset_import { version 13 }
  return new Uint8Array([...field(1, 7), ...field(7, graph), ...field(8, field(2, 13))]);
}

async function sgemm(n: number, transA: boolean, transB: boolean): Promise<() => Promise<unknown>> {
  const session = await ort.InferenceSession.create(matmulModel(n, transA, transB), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
  });
  const feeds = {
    A: new ort.Tensor("float32", randomFloats(n * n, 1), [n, n]),
    B: new ort.Tensor("float32", randomFloats(n * n, 2), [n, n]),
  };
  return () => session.run(feeds);
}

const info = { onnxruntime: ort.env.versions.common, intraOpNumThreads: 1 };
await runChild(
  "onnxruntime",
  info,
  sgemmCases.map((c) => [c.key, async () => measureAsync(await sgemm(c.n, c.transA, c.transB), sgemmFlop(c.n))]),
);
