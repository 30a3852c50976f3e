/**
 * Seeded random numbers, generated in TypeScript so every backend sees the same values.
 * The bit generator is MT19937, the one PyTorch's CPU generator uses.
 */
export class Generator {
  #state = new Uint32Array(624);
  #index = 624;
  #spareNormal: number | null = null;

  constructor(seed = 5489) {
    this.manualSeed(seed);
  }

  /** Restarts the sequence from `seed` (an integer in [0, 2^32)). */
  manualSeed(seed: number): this {
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
      throw new Error(`manualSeed: seed must be an integer in [0, 2^32), got ${seed}`);
    }
    const s = this.#state;
    s[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = (s[i - 1] as number) ^ ((s[i - 1] as number) >>> 30);
      s[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.#index = 624;
    this.#spareNormal = null;
    return this;
  }

  /** The next raw 32-bit output. */
  nextUint32(): number {
    if (this.#index >= 624) this.#twist();
    let y = this.#state[this.#index++] as number;
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform in [0, 1) with 24 random bits, so the value is exact in float32. */
  uniform(): number {
    return (this.nextUint32() & 0xffffff) / 0x1000000;
  }

  /** Standard normal, by the Box-Muller transform (pairs, the second kept for the next call). */
  normal(): number {
    if (this.#spareNormal !== null) {
      const spare = this.#spareNormal;
      this.#spareNormal = null;
      return spare;
    }
    const u1 = 1 - this.uniform(); // in (0, 1], so the log is finite
    const u2 = this.uniform();
    const radius = Math.sqrt(-2 * Math.log(u1));
    this.#spareNormal = radius * Math.sin(2 * Math.PI * u2);
    return radius * Math.cos(2 * Math.PI * u2);
  }

  #twist(): void {
    const s = this.#state;
    for (let i = 0; i < 624; i++) {
      const y = ((s[i] as number) & 0x80000000) | ((s[(i + 1) % 624] as number) & 0x7fffffff);
      let next = (s[(i + 397) % 624] as number) ^ (y >>> 1);
      if (y & 1) next ^= 0x9908b0df;
      s[i] = next >>> 0;
    }
    this.#index = 0;
  }
}

/** The generator used when an operation is not given one. */
export const defaultGenerator = new Generator();

/** Seeds the default generator, as `torch.manual_seed`. */
export function manualSeed(seed: number): void {
  defaultGenerator.manualSeed(seed);
}
