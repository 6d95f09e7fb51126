/**
 * Fuzzing graphs: valid random graphs round-trip through JSON and evaluate identically run to run
 * and compiled; mutated graphs (one to three mutations), structured garbage and arbitrary JSON end in
 * a typed CellgradError or in a result a second evaluation confirms — never another exception, a
 * hang or a wrong number. Always-invalid mutations must be refused with the matching message.
 * FUZZ_RUNS=n runs n cases per property; the seed is the suite's (FC_SEED overrides it).
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { deserialize, fromJSON, listOps, serialize, toJSON, type Graph, type GraphJSON } from '@cellgrad/graph';
import { fcParams, Rng } from '../support/fc.js';
import { buildRecipe, randomFeeds, recipeArb } from '../support/random-graph.js';
import { mutate, mutationArb, type Mutation } from './fuzz/mutate.js';
import { count, execute, runs, tallyText, typed, FUZZ_TIMEOUT } from './fuzz/outcome.js';

const small = recipeArb({ maxInputs: 2, maxSteps: 4 });
const copy = (j: GraphJSON): GraphJSON => JSON.parse(JSON.stringify(j)) as GraphJSON;

/** Load `j` (as text half the time, as an object otherwise), then run it if it loaded. */
function loadAndRun(name: string, j: unknown, asText: boolean, seed: number): void {
  const loaded = typed(() => (asText ? deserialize(JSON.stringify(j)) : fromJSON(j)));
  if ('error' in loaded) {
    count(name, `error:${loaded.error.kind}`);
    return;
  }
  const g: Graph = loaded.value;
  // What loaded is a valid graph: it round-trips exactly.
  expect(serialize(deserialize(serialize(g)))).toBe(serialize(g));
  count(name, execute(g, randomFeeds(g, new Rng(seed))));
}

afterAll(() => {
  console.log(`fuzzed graphs:\n${tallyText()}`);
});

describe('fuzz: valid random graphs', () => {
  it(
    'round-trip through JSON and evaluate the same twice and compiled',
    () => {
      fc.assert(
        fc.property(small, fc.nat(), (r, seed) => {
          const g = buildRecipe(r);
          const h = deserialize(serialize(g));
          expect(toJSON(h)).toEqual(toJSON(g));
          const o = execute(h, randomFeeds(h, new Rng(seed)));
          expect(o).toBe('ok');
          count('valid graphs', o);
        }),
        fcParams(runs(250)),
      );
    },
    FUZZ_TIMEOUT,
  );
});

describe('fuzz: mutated graphs', () => {
  it(
    '1–3 random mutations: a typed error or a confirmed result',
    () => {
      fc.assert(
        fc.property(small, fc.array(mutationArb, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.nat(), (r, ms, asText, seed) => {
          const j = copy(toJSON(buildRecipe(r)));
          for (const m of ms) mutate(j, m);
          loadAndRun('mutated graphs', j, asText, seed);
        }),
        fcParams(runs(1500)),
      );
    },
    FUZZ_TIMEOUT,
  );

  const targeted: [string, fc.Arbitrary<Mutation>, RegExp][] = [
    ['cycle', mutationArb.filter((m) => m.kind === 'cycle'), /does not come before it \(a cycle or a wrong order\)/],
    ['dangling reference', mutationArb.filter((m) => m.kind === 'dangling'), /refers to missing node %-?\d+/],
    [
      'unknown op',
      fc.record({ kind: fc.constant('op' as const), node: fc.nat(), op: fc.string().filter((s) => !listOps().some((o) => o.name === s)) }),
      /uses unknown op '/,
    ],
    [
      'wrong id',
      fc.record({ kind: fc.constant('id' as const), node: fc.nat(), value: fc.integer({ min: 1000, max: 2000 }) }),
      /nodes\[\d+\]\.id must be \d+, got \d+/,
    ],
    [
      'unknown dtype',
      fc.record({ kind: fc.constant('dtype' as const), node: fc.nat(), dtype: fc.constantFrom('int8', 'float16', 'bfloat16', '') }),
      /\.dtype: unknown dtype/,
    ],
  ];

  it.each(targeted)(
    'always refused: %s',
    (name, arb, message) => {
      fc.assert(
        fc.property(small, arb, (r, m) => {
          const j = copy(toJSON(buildRecipe(r)));
          mutate(j, m);
          const out = typed(() => fromJSON(j));
          expect('error' in out).toBe(true);
          if ('error' in out) {
            expect(out.error.message).toMatch(message);
            count(`refused: ${name}`, `error:${out.error.kind}`);
          }
        }),
        fcParams(runs(120)),
      );
    },
    FUZZ_TIMEOUT,
  );
});

describe('fuzz: garbage', () => {
  const node = fc.record(
    {
      id: fc.nat({ max: 6 }),
      op: fc.oneof(fc.constantFrom(...listOps().map((o) => o.name)), fc.string({ maxLength: 6 })),
      inputs: fc.array(fc.integer({ min: -1, max: 6 }), { maxLength: 3 }),
      attrs: fc.dictionary(
        fc.constantFrom('axis', 'axes', 'perm', 'shape', 'data', 'value', 'name', 'dtype', 'keepDims', 'min', 'max'),
        fc.oneof(fc.nat({ max: 3 }), fc.array(fc.nat({ max: 3 }), { maxLength: 3 }), fc.boolean(), fc.constantFrom('float64', 'float32', 'x')),
      ),
      dtype: fc.constantFrom('float64', 'float32', 'int8'),
      shape: fc.array(fc.nat({ max: 3 }), { maxLength: 3 }),
    },
    { requiredKeys: ['id', 'op', 'inputs', 'attrs', 'dtype', 'shape'] },
  );
  const structured = fc.record({
    format: fc.constant('cellgrad-graph'),
    version: fc.constant(1),
    nodes: fc.array(node, { maxLength: 6 }),
    inputs: fc.array(fc.record({ name: fc.constantFrom('a', 'b'), id: fc.nat({ max: 6 }) }), { maxLength: 2 }),
    outputs: fc.array(fc.record({ name: fc.constantFrom('y', 'z'), id: fc.nat({ max: 6 }) }), { maxLength: 2 }),
  });

  it(
    'structured random graphs: a typed error or a confirmed result',
    () => {
      fc.assert(
        fc.property(structured, fc.boolean(), fc.nat(), (j, asText, seed) => loadAndRun('structured garbage', j, asText, seed)),
        fcParams(runs(1000)),
      );
    },
    FUZZ_TIMEOUT,
  );

  it(
    'arbitrary JSON values and texts: always a typed graph error',
    () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.jsonValue(),
            fc.string().map((s) => ({ text: s })),
          ),
          (v) => {
            const out = typed(() => (typeof v === 'object' && v !== null && 'text' in v && typeof v.text === 'string' ? deserialize(v.text) : fromJSON(v)));
            expect('error' in out).toBe(true);
            if ('error' in out) count('arbitrary JSON', `error:${out.error.kind}`);
          },
        ),
        fcParams(runs(800)),
      );
    },
    FUZZ_TIMEOUT,
  );
});
