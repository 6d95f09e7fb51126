// The fast-check arbitraries of @cellgrad/testing, through @fast-check/vitest's `test.prop`: sizes
// stay within their bounds, feeds fit the unrolled graph and are reproducible from their seed, random
// cells and random graphs pass the matcher (their gradients are right), and the wrong-VJP cell fails
// it at every size.
import { describe, expect } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import { arb, kinkDistance } from '@cellgrad/testing';
import { builtinCells, cellFeeds, describeUnroll, unroll } from '@cellgrad/cells';
import { checkFeeds, interpret } from '@cellgrad/graph';
import { wrongCell } from './wrong-vjp.js';

const runs = (n: number) => ({ numRuns: process.env.FC_RUNS !== undefined ? Number(process.env.FC_RUNS) : n });

describe('arb.cellSizes', () => {
  test.prop([arb.cellSizes({ maxInput: 2, maxHidden: 5, maxBatch: 3, maxSteps: 7, maxLayers: 2, bidirectional: true })], runs(40))(
    'every size is an integer from 1 to its bound',
    (s) => {
      for (const [key, max] of [
        ['input', 2],
        ['hidden', 5],
        ['batch', 3],
        ['steps', 7],
        ['layers', 2],
      ] as const) {
        expect(Number.isInteger(s[key]) && s[key] >= 1 && s[key] <= max, `${key} ${s[key]}`).toBe(true);
      }
      expect(typeof s.bidirectional).toBe('boolean');
    },
  );

  test.prop([arb.cellSizes()], runs(20))('one direction and one layer unless asked', (s) => {
    expect(s.bidirectional).toBe(false);
    expect(s.layers).toBe(1);
  });

  test('a bound that is not a positive integer is refused', () => {
    expect(() => arb.cellSizes({ maxSteps: 0 })).toThrow(/'maxSteps' must be a positive integer, got 0/);
  });
});

describe('arb.cellFeeds and arb.graphFeeds', () => {
  const sizes = { input: 2, hidden: 3, batch: 2, steps: 3 };
  const g = unroll(builtinCells.lstm!, { ...sizes, dtype: 'float64' });

  test.prop([arb.cellFeeds(builtinCells.lstm!, sizes)], runs(10))('feed every input of the unrolled graph, in float64', (feeds) => {
    expect(Object.keys(feeds).sort()).toEqual(
      describeUnroll(builtinCells.lstm!, sizes)
        .inputs.map((i) => i.name)
        .sort(),
    );
    expect(Object.values(feeds).every((v) => v.data instanceof Float64Array)).toBe(true);
    expect(interpret(g, feeds).out!.shape).toEqual([3, 2, 3]);
  });

  test('are cellFeeds under the drawn seed (a counterexample is reproducible from it)', () => {
    const [seed] = fc.sample(arb.seed(), { seed: 5, numRuns: 1 });
    const [feeds] = fc.sample(arb.cellFeeds(builtinCells.lstm!, sizes), { seed: 5, numRuns: 1 });
    expect(feeds).toEqual(cellFeeds(builtinCells.lstm!, { ...sizes, dtype: 'float64' }, seed!));
  });

  test.prop([arb.graphFeeds(g, { scale: 0.5 })], runs(10))('graph feeds fit the graph and the scale', (feeds) => {
    expect(checkFeeds(g, feeds)).toHaveLength(g.inputs.length);
    expect(Object.values(feeds).every((v) => [...v.data].every((x) => Math.abs(x) <= 0.5))).toBe(true);
  });
});

describe('arb.randomCell', () => {
  test.prop([arb.randomCell(), arb.cellSizes({ maxSteps: 3 }), arb.seed()], runs(12))('random cells have right gradients', (cell, sizes, seed) => {
    expect(cell.name).toMatch(/^random_g[1-4]_(separate|stacked)/);
    expect(cell).toPassGradcheck({ ...sizes, seed, mode: 'fast' });
  });

  test.prop([arb.cellSizes({ maxSteps: 3 })], runs(8))('a wrong VJP fails at any size', (sizes) => {
    expect(wrongCell).not.toPassGradcheck({ ...sizes, mode: 'fast' });
  });
});

describe('arb.randomGraph', () => {
  test.prop([arb.randomGraph({ maxSteps: 5 })], runs(15))('random graphs with smooth feeds have right gradients', ({ graph, feeds, recipe }) => {
    expect(graph.outputs.map((o) => o.name)).toEqual(['loss']);
    expect(graph.inputs).toHaveLength(recipe.inputs.length);
    expect(kinkDistance(graph, feeds).distance).toBeGreaterThanOrEqual(1e-3);
    expect({ graph, feeds }).toPassGradcheck();
  });
});
