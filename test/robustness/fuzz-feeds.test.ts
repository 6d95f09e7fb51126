/**
 * Fuzzing feeds and values: random graphs receive correct, re-encoded (nested arrays, float32 data)
 * and corrupted feeds (missing, extra, mis-shaped, ragged, of a random type); every case is a
 * confirmed result or a typed 'feed' error. Random NaN/±Infinity injected into feeds check the
 * non-finite mode against a plain evaluation: it stops exactly at the first non-finite node.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { firstNonFinite, interpret, interpretAll, NonFiniteError, toNested, type FeedValue, type NDArray } from '@cellgrad/graph';
import { fcParams, Rng } from '../support/fc.js';
import { buildRecipe, randomFeeds, recipeArb } from '../support/random-graph.js';
import { bitIdentical, count, execute, runs, tallyText, typed, FUZZ_TIMEOUT } from './fuzz/outcome.js';

const small = recipeArb({ maxInputs: 3, maxSteps: 4 });

type Corruption = 'none' | 'nested' | 'float32' | 'missing' | 'extra' | 'shape' | 'ragged' | 'type';
const corruption = fc.constantFrom<Corruption>('none', 'nested', 'float32', 'missing', 'extra', 'shape', 'ragged', 'type');

afterAll(() => {
  console.log(`fuzzed feeds:\n${tallyText()}`);
});

describe('fuzz: feeds', () => {
  it(
    'correct, re-encoded and corrupted feeds: a confirmed result or a typed feed error',
    () => {
      fc.assert(
        fc.property(small, corruption, fc.nat(), fc.anything(), fc.array(fc.nat({ max: 4 }), { maxLength: 4 }), (r, c, seed, junk, dims) => {
          const g = buildRecipe(r);
          const feeds: Record<string, FeedValue> = randomFeeds(g, new Rng(seed));
          const names = g.inputs.map((p) => p.name);
          const name = names[seed % names.length]!;
          const base = feeds[name] as NDArray;
          switch (c) {
            case 'none':
              break;
            case 'nested':
              feeds[name] = toNested(base) as FeedValue;
              break;
            case 'float32':
              feeds[name] = { shape: base.shape, data: Float32Array.from(base.data) };
              break;
            case 'missing':
              delete feeds[name];
              break;
            case 'extra':
              feeds[`${name}_extra`] = base;
              break;
            case 'shape': {
              const shape = dims.length === base.shape.length && dims.every((d, i) => d === base.shape[i]) ? [...dims, 2] : dims;
              feeds[name] = { shape, data: new Float64Array(shape.reduce((a, d) => a * d, 1)) };
              break;
            }
            case 'ragged':
              feeds[name] = [[1, 2], [3]];
              break;
            case 'type':
              feeds[name] = junk as FeedValue;
              break;
          }
          const want = c === 'float32' ? { ...feeds, [name]: { shape: base.shape, data: Float64Array.from(Float32Array.from(base.data)) } } : feeds;
          const got = typed(() => interpret(g, feeds));
          if ('error' in got) {
            expect(['missing', 'extra', 'shape', 'ragged', 'type']).toContain(c);
            expect(got.error.kind).toBe('feed');
            count('feeds', `error:${got.error.kind}`);
            return;
          }
          expect(['none', 'nested', 'float32', 'type']).toContain(c);
          // Re-encoded feeds give exactly what the plain float64 feed gives.
          if (c === 'nested' || c === 'float32') expect(bitIdentical(got.value, interpret(g, want))).toBe(true);
          const o = execute(g, feeds);
          expect(o).toBe('ok');
          count('feeds', o);
        }),
        fcParams(runs(500)),
      );
    },
    FUZZ_TIMEOUT,
  );
});

describe('fuzz: the non-finite mode', () => {
  it(
    'stops exactly at the first node whose value is non-finite',
    () => {
      const special = fc.constantFrom(Number.NaN, Infinity, -Infinity, 1e300, -1e300, 0);
      fc.assert(
        fc.property(small, fc.nat(), fc.array(fc.tuple(fc.nat(), fc.nat(), special), { maxLength: 3 }), (r, seed, hits) => {
          const g = buildRecipe(r);
          const feeds = randomFeeds(g, new Rng(seed));
          for (const [which, at, v] of hits) {
            const t = feeds[g.inputs[which % g.inputs.length]!.name]!;
            if (t.data.length > 0) t.data[at % t.data.length] = v;
          }
          const { values } = interpretAll(g, feeds);
          const first = g.nodes.findIndex((n) => firstNonFinite(values[n.id]!) >= 0);
          const checked = typed(() => interpret(g, feeds, { checkFinite: true }));
          if (first < 0) {
            expect('value' in checked).toBe(true);
            count('non-finite mode', 'ok');
            return;
          }
          expect('error' in checked && checked.error).toBeInstanceOf(NonFiniteError);
          const e = (checked as { error: NonFiniteError }).error;
          expect(e.report.node).toBe(first);
          expect(e.report.op).toBe(g.nodes[first]!.op);
          expect(e.report.index).toBe(firstNonFinite(values[first]!));
          count('non-finite mode', 'error:nonfinite');
        }),
        fcParams(runs(600)),
      );
    },
    FUZZ_TIMEOUT,
  );
});
