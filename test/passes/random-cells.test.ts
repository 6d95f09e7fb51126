/**
 * Random recurrent cells (1–4 gates, separate or stacked gate matrices, with or without biases,
 * random activations and state update), unrolled over random sizes: every time-related pass and the
 * whole pipeline keep values and gradients, verify and are idempotent on the forward graph and on
 * the training graph.
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { defineCell, type Cell } from '@cellgrad/cells';
import { batchGates, batchSumOfProducts, hoistInputProjections, optimize, type Graph, type Tensor } from '@cellgrad/graph';
import { fcParams } from '../support/fc.js';
import { cellGraphFeeds, cellLossGraph, cellTrainingGraph, checkPass } from './helpers.js';

const ACTS = {
  tanh: (t: Tensor) => t.tanh(),
  sigmoid: (t: Tensor) => t.sigmoid(),
  relu: (t: Tensor) => t.relu(),
  logSigmoid: (t: Tensor) => t.sigmoid().log(),
} as const;

interface CellSpec {
  readonly gates: number;
  readonly separate: boolean;
  readonly bias: boolean;
  readonly acts: readonly (keyof typeof ACTS)[];
  readonly update: 'sum' | 'gated';
}

const specArb: fc.Arbitrary<CellSpec> = fc.record({
  gates: fc.integer({ min: 1, max: 4 }),
  separate: fc.boolean(),
  bias: fc.boolean(),
  acts: fc.array(fc.constantFrom(...(Object.keys(ACTS) as (keyof typeof ACTS)[])), { minLength: 4, maxLength: 4 }),
  update: fc.constantFrom('sum' as const, 'gated' as const),
});

function randomCell(spec: CellSpec): Cell {
  const G = spec.gates;
  const ks = [...Array(G).keys()];
  return defineCell({
    name: 'random',
    params: ({ input: I, hidden: H }) => {
      if (!spec.separate) return { W: [G * H, I], U: [G * H, H], ...(spec.bias ? { b: [G * H] } : {}) };
      return Object.fromEntries(ks.flatMap((k) => [[`W${k}`, [H, I]], [`U${k}`, [H, H]], ...(spec.bias ? [[`b${k}`, [H]]] : [])]));
    },
    state: ({ hidden: H }) => ({ h: [H] }),
    step: ({ x, h }, p) => {
      let pre: Tensor[];
      if (spec.separate) {
        pre = ks.map((k) => {
          const z = x.matmul(p[`W${k}`]!.T).add(h.matmul(p[`U${k}`]!.T));
          return spec.bias ? z.add(p[`b${k}`]!) : z;
        });
      } else {
        const z = x.matmul(p.W!.T).add(h.matmul(p.U!.T));
        pre = (spec.bias ? z.add(p.b!) : z).split(G, -1);
      }
      const a = pre.map((z, k) => ACTS[spec.acts[k]!](z));
      const next = spec.update === 'sum' || G === 1 ? a.reduce((s, t) => s.add(t)).mul(0.5) : a[0]!.mul(h).add(a.slice(1).reduce((s, t) => s.mul(t)));
      return { h: next };
    },
  });
}

const sizesArb = fc.record({
  steps: fc.integer({ min: 1, max: 4 }),
  batch: fc.integer({ min: 1, max: 3 }),
  input: fc.integer({ min: 1, max: 3 }),
  hidden: fc.integer({ min: 1, max: 3 }),
});

const PASSES: readonly (readonly [string, (g: Graph) => Graph])[] = [
  ['hoist-time', hoistInputProjections],
  ['sum-products', batchSumOfProducts],
  ['batch-gates', batchGates],
  ['pipeline', optimize],
];

describe.each(PASSES)('%s on random cells', (_name, pass) => {
  it('keeps values and gradients of the forward and training graphs', () => {
    fc.assert(
      fc.property(specArb, sizesArb, fc.nat(1000), (spec, sizes, seed) => {
        const cell = randomCell(spec);
        const opts = { ...sizes, dtype: 'float64' as const };
        const feeds = cellGraphFeeds(cell, opts, seed);
        checkPass(pass, cellLossGraph(cell, opts), feeds);
        checkPass(pass, cellTrainingGraph(cell, opts), feeds);
      }),
      fcParams(8),
    );
  });
});
