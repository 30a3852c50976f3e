import type { Floats } from "./floats.js";
/**
 * `out[i] = a[i] ** exponent` with Math.pow's edge cases (which `**` shares): `pow(1, NaN)`
 * and `pow(-1, ±inf)` are NaN, unlike C's `powf`. The backend rounds the
 * exponent to its precision; the power is computed in float64 and rounded once on the store.
 */
export function powScalar(a: Floats, exponent: number, out: Floats): void {
  if (out.length !== a.length) throw new Error(`powScalar: a has ${a.length} elements but out has ${out.length}`);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) ** exponent;
}
