/**
 * Fuzzing what happens after loading: every graph that a (possibly mutated) file yields goes through
 * the optimisation pipeline (values must not change) and the reverse-mode transform (a typed error,
 * e.g. a non-scalar output, or a gradient graph that the interpreter and the compiled executor
 * agree on). Random feeds include graphs of one scalar or broadcast output.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromJSON, interpret, interpretAll, optimize, sizeOf, toJSON, type GraphJSON } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { fcParams, Rng } from '../support/fc.js';
import { buildRecipe, randomFeeds, recipeArb } from '../support/random-graph.js';
import { mutate, mutationArb } from './fuzz/mutate.js';
import { count, execute, magnitude, relativeError, RUN_LIMIT, runs, tallyText, typed, FUZZ_TIMEOUT } from './fuzz/outcome.js';

afterAll(() => {
  console.log(`fuzzed pipeline:\n${tallyText()}`);
});

describe('fuzz: loaded graphs through optimize and grad', () => {
  it(
    'optimize keeps values; grad gives a typed error or a gradient graph both executors agree on',
    () => {
      fc.assert(
        fc.property(recipeArb({ maxInputs: 2, maxSteps: 4 }), fc.array(mutationArb, { maxLength: 2 }), fc.nat(), (r, ms, seed) => {
          const j = JSON.parse(JSON.stringify(toJSON(buildRecipe(r)))) as GraphJSON;
          for (const m of ms) mutate(j, m);
          const loaded = typed(() => fromJSON(j));
          if ('error' in loaded) return count('pipeline: load', `error:${loaded.error.kind}`);
          const g = loaded.value;
          if (g.nodes.some((n) => sizeOf(n.shape) > RUN_LIMIT)) return count('pipeline: load', 'ok:too-large-to-run');
          const feeds = randomFeeds(g, new Rng(seed));
          const base = typed(() => interpretAll(g, feeds));
          const opt = typed(() => optimize(g));
          if ('error' in opt) return count('pipeline: optimize', `error:${opt.error.kind}`);
          if ('value' in base) {
            const after = interpret(opt.value, feeds);
            expect(relativeError(after, base.value.outputs, magnitude(base.value.values))).toBeLessThanOrEqual(1e-9);
          }
          count('pipeline: optimize', 'ok');
          const dg = typed(() => grad(g, { of: g.outputs[0]!.name }));
          if ('error' in dg) return count('pipeline: grad', `error:${dg.error.kind}`);
          count('pipeline: grad', execute(dg.value, feeds));
        }),
        fcParams(runs(300)),
      );
    },
    FUZZ_TIMEOUT,
  );
});
