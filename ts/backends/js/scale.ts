import type { Floats } from "./floats.js";
/** `out[i] = a[i] * s`; the backend rounds `s` to its precision first. */
export function scale(a: Floats, s: number, out: Floats): void {
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) * s;
}
