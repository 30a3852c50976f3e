import { checkSizes } from "./checkSizes.js";
import type { Floats } from "./floats.js";

/**
 * Maximum over the middle axis of [outer, axisLen, inner], with the index of the first
 * maximum stored as a float. A NaN beats every number and the first NaN is kept, as in
 * PyTorch. Rows of `inner` elements are visited in memory order.
 */
export function maxAxis(
  a: Floats,
  values: Floats,
  indices: Floats,
  outer: number,
  axisLen: number,
  inner: number,
): void {
  checkSizes("maxAxis", { outer, axisLen, inner });
  const shape = `outer=${outer} axisLen=${axisLen} inner=${inner}`;
  if (a.length !== outer * axisLen * inner || values.length !== outer * inner || indices.length !== outer * inner) {
    throw new Error(
      `maxAxis: a has ${a.length} elements, values ${values.length}, indices ${indices.length}; expected ${outer * axisLen * inner}, ${outer * inner}, ${outer * inner} (${shape})`,
    );
  }
  if (axisLen === 0 && outer * inner > 0) throw new Error(`maxAxis: cannot reduce an empty axis (${shape})`);
  for (let o = 0; o < outer; o++) {
    const base = o * inner;
    // Row 0 starts every maximum; later rows replace it only when strictly greater or NaN.
    values.set(a.subarray(o * axisLen * inner, o * axisLen * inner + inner), base);
    indices.fill(0, base, base + inner);
    for (let k = 1; k < axisLen; k++) {
      const row = (o * axisLen + k) * inner;
      for (let i = 0; i < inner; i++) {
        const best = values[base + i] as number;
        const x = a[row + i] as number;
        if (x > best || (Number.isNaN(x) && !Number.isNaN(best))) {
          values[base + i] = x;
          indices[base + i] = k;
        }
      }
    }
  }
}
