/**
 * Throws unless every size is a non-negative integer, naming the op and the size: a
 * fractional or negative size would otherwise pass a length check by accident.
 */
export function checkSizes(op: string, sizes: Record<string, number>): void {
  for (const [name, value] of Object.entries(sizes)) {
    if (!Number.isInteger(value) || value < 0)
      throw new Error(`${op}: ${name} must be a non-negative integer, not ${value}`);
  }
}
