/**
 * fast-check settings for the core tests: a fixed seed (FC_SEED overrides it) passed to every
 * `fc.assert`, so a run is reproducible on its own even without the global setup file. fast-check
 * prints the seed and the counterexample path of any failure.
 */
import type fc from 'fast-check';
import { arb } from '@cellgrad/testing';

/** The seed every property in test/graph and test/autodiff runs with. */
export const FC_SEED: number = process.env.FC_SEED !== undefined ? Number(process.env.FC_SEED) : 20261127;

/** FC_RUNS, when set, replaces every property's own number of runs (for deeper exploration). */
const FC_RUNS: number | undefined = process.env.FC_RUNS !== undefined ? Number(process.env.FC_RUNS) : undefined;

/** Parameters for `fc.assert`: the fixed seed and a modest number of runs. */
export function fcParams<T>(numRuns: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  return { seed: FC_SEED, numRuns: FC_RUNS ?? numRuns, ...extra };
}

/** The deterministic PRNG of the property tests (mulberry32), moved to @cellgrad/testing. */
export { Mulberry32 as Rng } from '@cellgrad/testing';

/** An arbitrary seed for `Rng`, without fast-check's bias towards small integers (`arb.seed` of @cellgrad/testing). */
export const rngSeed: () => fc.Arbitrary<number> = arb.seed;
