/** Rows up to this long are kept between calls; a longer one is made anew (and freed). */
const keptLength = 4096;
const kept = new Float64Array(keptLength);

/**
 * A Float64Array whose first `length` elements are zero (it may be longer), for a kernel
 * to accumulate one row of its output in. A new one per call (~35 ns), cleared by `fill`
 * and stored by `set` (~25 and ~50 ns more, builtins), cost more than a small product's
 * arithmetic, so short rows share one array, cleared and stored by plain loops: a kernel
 * must be done with its row before it calls another kernel that takes one.
 */
export function float64Row(length: number): Float64Array {
  if (length > keptLength) return new Float64Array(length);
  for (let i = 0; i < length; i++) kept[i] = 0;
  return kept;
}
