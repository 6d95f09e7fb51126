/**
 * A tiny deterministic generator (mulberry32) for test values: seeded by an integer that fast-check
 * draws, it gives uniform arrays (fast-check's own double arbitraries favour edge values such as 0
 * and the bounds, which would sit on kinks and ties).
 */

/**
 * A deterministic PRNG (mulberry32) for tensor values, seeded by an integer.
 * @example
 * const rng = new Mulberry32(7);
 * rng.array(4, -1, 1); // four values uniform in [-1, 1)
 */
export class Mulberry32 {
  private state: number;
  /** A generator seeded by `seed` (its low 32 bits). */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** `n` uniform values in [lo, hi). */
  array(n: number, lo = -1, hi = 1): Float64Array {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.uniform(lo, hi);
    return out;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
}
