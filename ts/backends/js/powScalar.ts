/**
 * `out[i] = a[i] ** exponent` with Math.pow's edge cases (which `**` shares): `pow(1, NaN)`
 * and `pow(-1, ±inf)` are NaN, unlike C's `powf`. The exponent is rounded to float32 first,
 * as every backend's kernel takes it; the power is computed in float64 and rounded once on the store.
 */
export function powScalar(a: Float32Array, exponent: number, out: Float32Array): void {
  if (out.length !== a.length) throw new Error(`powScalar: a has ${a.length} elements but out has ${out.length}`);
  const e = Math.fround(exponent);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) ** e;
}
