import type { Floats } from "./floats.js";
/** Column sums of a rows×cols matrix: the gradient of a bias broadcast over rows. */
export function sumRows(a: Floats, out: Floats, rows: number, cols: number): void {
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let c = 0; c < cols; c++) out[c] = (out[c] as number) + (a[row + c] as number);
  }
}
