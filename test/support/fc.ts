/**
 * fast-check settings for the core tests: a fixed seed (FC_SEED overrides it) passed to every
 * `fc.assert`, so a run is reproducible on its own even without the global setup file. fast-check
 * prints the seed and the counterexample path of any failure.
 */
import fc from 'fast-check';

/** The seed every property in test/graph and test/autodiff runs with. */
export const FC_SEED: number = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 20261127;

/** FC_RUNS, when set, replaces every property's own number of runs (for deeper exploration). */
const FC_RUNS: number | undefined = process.env.FC_RUNS !== undefined ? Number(process.env.FC_RUNS) : undefined;

/** Parameters for `fc.assert`: the fixed seed and a modest number of runs. */
export function fcParams<T>(numRuns: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  return { seed: FC_SEED, numRuns: FC_RUNS ?? numRuns, ...extra };
}

/**
 * A deterministic PRNG (mulberry32) for tensor values. Values are drawn from it, seeded by an
 * integer fast-check generates, so every value array is uniform (fast-check's own double
 * arbitraries favour edge values such as 0 and the bounds, which would sit on kinks and ties).
 */
export class Rng {
  private state: number;
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

/** An arbitrary seed for `Rng`, without fast-check's bias towards small integers. */
export const rngSeed = (): fc.Arbitrary<number> => fc.noBias(fc.integer({ min: 0, max: 0x7fffffff }));
