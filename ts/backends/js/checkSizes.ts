/**
 * Throws unless `value` is a non-negative integer, naming the op and the size: a
 * fractional or negative size would otherwise pass a length check by accident. The
 * words are the native addon's, whose small calls run these kernels.
 */
export function checkSize(op: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0)
    throw new Error(`${op}: ${name} must be a non-negative integer, not ${value}`);
}

/** `checkSize` for each named size. */
export function checkSizes(op: string, sizes: Record<string, number>): void {
  for (const [name, value] of Object.entries(sizes)) checkSize(op, name, value);
}

/**
 * Throws unless `array` has `x·y` elements for sizes `x` and `y`, where `names` spells the
 * product ("m*k"), in the addon's words. Without the object `checkSizes` takes: iterating
 * it costs ~200 ns, more than a small product.
 */
export function checkProduct(op: string, array: string, length: number, names: string, x: number, y: number): void {
  if (Number.isInteger(x) && x >= 0 && Number.isInteger(y) && y >= 0 && length === x * y) return;
  const [xName = "", yName = ""] = names.split("*");
  checkSize(op, xName, x);
  checkSize(op, yName, y);
  throw new Error(`${op}: ${array} has ${length} elements but ${names} = ${x}*${y} = ${x * y}`);
}

/** Throws unless a bias or its gradient, named `array`, has `n` elements, in the addon's words. */
export function checkBias(op: string, array: string, length: number, n: number): void {
  if (length !== n) throw new Error(`${op}: ${array} has ${length} elements but n = ${n}`);
}
