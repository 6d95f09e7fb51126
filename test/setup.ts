// Test setup: fast-check runs with a fixed seed (FC_SEED overrides it, for exploring more cases);
// fast-check prints the seed and the counterexample path of any failure.
import fc from 'fast-check';

const seed = Number(process.env.FC_SEED ?? 20261127);
fc.configureGlobal({ seed, numRuns: Number(process.env.FC_RUNS ?? 50) });
