/** `out[i] = a[i] * s`, with `s` rounded to float32 first as every backend's kernel takes it. */
export function scale(a: Float32Array, s: number, out: Float32Array): void {
  const factor = Math.fround(s);
  for (let i = 0; i < a.length; i++) out[i] = (a[i] as number) * factor;
}
