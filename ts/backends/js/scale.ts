import type { Floats } from "./floats.js";
/** `out[i] = a[i] * s`; the backend rounds `s` to its precision first. */
export function scale(a: Floats, s: number, out: Floats): void {
  if (out.length !== a.length) throw new Error(`scale: a has ${a.length} elements but out has ${out.length}`);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) * s;
}
