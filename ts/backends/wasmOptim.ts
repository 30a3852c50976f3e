import type { Backend, Storage } from "../backend/backend.js";
import { adagradNegClr, adamFactors, rmspropOneMinusAlpha } from "./optimFactors.js";
import type { WasmStorage } from "./wasmMemory.js";

/**
 * The optimizer exports of crates/wasm/src/optim.rs: pointer and length pairs, then
 * the float64 factors of optimFactors.ts (rounded to f32 by the call), then booleans
 * as 0 or 1. An unused buffer is passed with length 0.
 */
export interface OptimExports {
  adam_step(
    param: number,
    paramLen: number,
    grad: number,
    gradLen: number,
    expAvg: number,
    expAvgLen: number,
    expAvgSq: number,
    expAvgSqLen: number,
    maxExpAvgSq: number,
    maxExpAvgSqLen: number,
    beta1: number,
    beta2: number,
    oneMinusBeta1: number,
    oneMinusBeta2: number,
    eps: number,
    weightDecay: number,
    paramScale: number,
    negStepSize: number,
    biasCorrection2Sqrt: number,
    amsgrad: number,
    maximize: number,
  ): void;
  adagrad_step(
    param: number,
    paramLen: number,
    grad: number,
    gradLen: number,
    stateSum: number,
    stateSumLen: number,
    negClr: number,
    weightDecay: number,
    eps: number,
    maximize: number,
  ): void;
  rmsprop_step(
    param: number,
    paramLen: number,
    grad: number,
    gradLen: number,
    squareAvg: number,
    squareAvgLen: number,
    gradAvg: number,
    gradAvgLen: number,
    momentumBuf: number,
    momentumBufLen: number,
    alpha: number,
    oneMinusAlpha: number,
    eps: number,
    weightDecay: number,
    momentum: number,
    negLr: number,
    centered: number,
    maximize: number,
  ): void;
}

export const optimExportNames = ["adam_step", "adagrad_step", "rmsprop_step"] as const;

/** What the optimizer kernels need from the wasm backend that calls them. */
export interface WasmCalls {
  /** Starts a backend call; returns `op`. */
  begin(op: string): string;
  /** Checks that `s` is a live storage of this module and makes it resident for this call. */
  live(op: string, name: string, s: Storage): WasmStorage;
  fail(op: string, message: string): never;
}

/** A storage's place in linear memory, as the exports take it. */
interface Block {
  ptr: number;
  length: number;
}

/** Stands in for a buffer the options leave unused: the module never reads it. */
const unused: Block = { ptr: 0, length: 0 };

/**
 * The wasm backend's optimizer kernels. Every length is checked here, before the call,
 * so a mistake is an Error naming the op and the values rather than a trap.
 */
export function wasmOptimKernels(
  ex: OptimExports,
  { begin, live, fail }: WasmCalls,
): Pick<Backend, "adamStep" | "adagradStep" | "rmspropStep"> {
  /**
   * Checks `param` and `grad`, and returns `buffer`, which checks each buffer the update
   * writes: param's length, and a storage of its own (the module copies a gradient that
   * aliases an output, but two outputs in one storage cannot be made sense of).
   */
  const operands = (op: string, paramSt: Storage, gradSt: Storage) => {
    const param = live(op, "param", paramSt);
    const sameLength = (name: string, st: Storage): WasmStorage => {
      const s = live(op, name, st);
      if (s.length !== param.length) fail(op, `${name} has ${s.length} elements but param has ${param.length}`);
      return s;
    };
    const grad = sameLength("grad", gradSt);
    const written = new Map<WasmStorage, string>([[param, "param"]]);
    const buffer = (name: string, st: Storage, used = true): Block => {
      if (!used) return unused;
      const s = sameLength(name, st);
      const twin = written.get(s);
      if (twin !== undefined) fail(op, `${name} is the same storage as ${twin}`);
      written.set(s, name);
      return s;
    };
    return { param, grad, buffer };
  };

  return {
    adamStep(paramSt, gradSt, expAvgSt, expAvgSqSt, maxExpAvgSqSt, o) {
      const { param, grad, buffer } = operands(begin("adamStep"), paramSt, gradSt);
      const m = buffer("expAvg", expAvgSt);
      const v = buffer("expAvgSq", expAvgSqSt);
      const vMax = buffer("maxExpAvgSq", maxExpAvgSqSt, o.amsgrad);
      const f = adamFactors(o);
      ex.adam_step(
        param.ptr,
        param.length,
        grad.ptr,
        grad.length,
        m.ptr,
        m.length,
        v.ptr,
        v.length,
        vMax.ptr,
        vMax.length,
        o.beta1,
        o.beta2,
        f.oneMinusBeta1,
        f.oneMinusBeta2,
        o.eps,
        f.weightDecay,
        f.paramScale,
        f.negStepSize,
        f.biasCorrection2Sqrt,
        o.amsgrad ? 1 : 0,
        o.maximize ? 1 : 0,
      );
    },
    adagradStep(paramSt, gradSt, stateSumSt, o) {
      const { param, grad, buffer } = operands(begin("adagradStep"), paramSt, gradSt);
      const sum = buffer("stateSum", stateSumSt);
      ex.adagrad_step(
        param.ptr,
        param.length,
        grad.ptr,
        grad.length,
        sum.ptr,
        sum.length,
        adagradNegClr(o),
        o.weightDecay,
        o.eps,
        o.maximize ? 1 : 0,
      );
    },
    rmspropStep(paramSt, gradSt, squareAvgSt, gradAvgSt, momentumBufSt, o) {
      const { param, grad, buffer } = operands(begin("rmspropStep"), paramSt, gradSt);
      const squareAvg = buffer("squareAvg", squareAvgSt);
      const gradAvg = buffer("gradAvg", gradAvgSt, o.centered);
      // The module decides on the float32 momentum, as PyTorch's `momentum > 0`; a
      // momentum too small for float32 must not leave it reading an unchecked buffer.
      const buf = buffer("momentumBuf", momentumBufSt, Math.fround(o.momentum) > 0);
      ex.rmsprop_step(
        param.ptr,
        param.length,
        grad.ptr,
        grad.length,
        squareAvg.ptr,
        squareAvg.length,
        gradAvg.ptr,
        gradAvg.length,
        buf.ptr,
        buf.length,
        o.alpha,
        rmspropOneMinusAlpha(o),
        o.eps,
        o.weightDecay,
        o.momentum,
        -o.lr,
        o.centered ? 1 : 0,
        o.maximize ? 1 : 0,
      );
    },
  };
}
