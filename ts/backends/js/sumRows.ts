import { checkProduct } from "./checkSizes.js";
import type { Floats } from "./floats.js";
import { sumCheckedAxis } from "./sumAxis.js";

/** Column sums of a rows×cols matrix, in float64: the gradient of a bias broadcast over rows. */
export function sumRows(a: Floats, out: Floats, rows: number, cols: number): void {
  checkProduct("sumRows", "a", a.length, "rows*cols", rows, cols);
  if (out.length !== cols) throw new Error(`sumRows: out has ${out.length} elements but cols = ${cols}`);
  sumCheckedAxis(a, out, 1, rows, cols);
}
