import { defaultGenerator, type Generator } from "../random.js";
import { formatShape, numelOf } from "../shape.js";
import type { Tensor } from "../tensor.js";

/** Fan-in and fan-out as `torch.nn.init._calculate_fan_in_and_fan_out` computes them. */
function fans(op: string, t: Tensor): { fanIn: number; fanOut: number } {
  if (t.shape.length < 2) {
    throw new Error(
      `${op}: fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (shape ${formatShape(t.shape)})`,
    );
  }
  const receptive = numelOf(t.shape, 2);
  return { fanIn: (t.shape[1] as number) * receptive, fanOut: (t.shape[0] as number) * receptive };
}

/** `torch.nn.init.calculate_gain` for the nonlinearities PyTorch names. */
export function calculateGain(nonlinearity: string, param?: number): number {
  switch (nonlinearity) {
    case "linear":
    case "conv1d":
    case "conv2d":
    case "conv3d":
    case "sigmoid":
      return 1;
    case "tanh":
      return 5 / 3;
    case "relu":
      return Math.SQRT2;
    case "leaky_relu": {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case "selu":
      return 3 / 4;
    default:
      throw new Error(`calculateGain: unsupported nonlinearity "${nonlinearity}"`);
  }
}

function fill(t: Tensor, draw: () => number): Tensor {
  const values = new Float32Array(t.numel());
  for (let i = 0; i < values.length; i++) values[i] = draw();
  t.assign(values);
  return t;
}

/** Options of the random initialisers. */
export interface InitOptions {
  generator?: Generator;
}

/** U(a, b) in place, as `torch.nn.init.uniform_`. */
export function uniform(t: Tensor, a = 0, b = 1, opts: InitOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  return fill(t, () => a + (b - a) * g.uniform());
}

/** N(mean, std²) in place, as `torch.nn.init.normal_`. */
export function normal(t: Tensor, mean = 0, std = 1, opts: InitOptions = {}): Tensor {
  const g = opts.generator ?? defaultGenerator;
  return fill(t, () => mean + std * g.normal());
}

export function constant(t: Tensor, value: number): Tensor {
  return fill(t, () => value);
}

export function zeros(t: Tensor): Tensor {
  return constant(t, 0);
}

export function ones(t: Tensor): Tensor {
  return constant(t, 1);
}

/** Glorot uniform: U(±gain·√(6 / (fanIn + fanOut))). */
export function xavierUniform(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fans("xavierUniform", t);
  const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
  return uniform(t, -bound, bound, opts);
}

/** Glorot normal: N(0, gain²·2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, gain = 1, opts: InitOptions = {}): Tensor {
  const { fanIn, fanOut } = fans("xavierNormal", t);
  return normal(t, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), opts);
}

/** Options of the Kaiming initialisers, with PyTorch's defaults. */
export interface KaimingOptions extends InitOptions {
  a?: number;
  mode?: "fan_in" | "fan_out";
  nonlinearity?: string;
}

function kaimingStd(op: string, t: Tensor, opts: KaimingOptions): number {
  const mode = opts.mode ?? "fan_in";
  if (mode !== "fan_in" && mode !== "fan_out")
    throw new Error(`${op}: mode must be "fan_in" or "fan_out", got "${String(mode)}"`);
  const { fanIn, fanOut } = fans(op, t);
  const gain = calculateGain(opts.nonlinearity ?? "leaky_relu", opts.a ?? 0);
  return gain / Math.sqrt(mode === "fan_in" ? fanIn : fanOut);
}

/** He uniform: U(±√3·std), std = gain / √fan. */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd("kaimingUniform", t, opts);
  return uniform(t, -bound, bound, opts);
}

/** He normal: N(0, std²), std = gain / √fan. */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal(t, 0, kaimingStd("kaimingNormal", t, opts), opts);
}
