/** The pipeline: fixed point, same values and gradients, the trace, and its effect on cell training graphs. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { interpret, isCellgradError, optimize, optimizeWithTrace, PIPELINE, print, verify, type Graph } from '@cellgrad/graph';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import { buildRecipe, randomFeeds, recipeArb } from '../support/random-graph.js';
import { handLstm } from './hand-lstm.js';
import { CELLS, cellGraphFeeds, cellLossGraph, cellTrainingGraph, checkPass, countOps, expectClose, SMALL } from './helpers.js';

const matmuls = (g: Graph) => countOps(g).matmul ?? 0;

describe('optimize', () => {
  it('is one explicit list of named, commented passes', () => {
    expect(PIPELINE.map((p) => p.name)).toEqual([
      'dce',
      'cse',
      'fold',
      'simplify',
      'stabilize',
      'hoist-time',
      'sum-products',
      'batch-gates',
      'loops',
      'simplify',
    ]);
    for (const p of PIPELINE) expect(p.comment.length).toBeGreaterThan(0);
  });

  it.each([...CELLS, ['hand_lstm', handLstm] as const])('keeps values and gradients of %s and reaches a fixed point', (_name, cell) => {
    const feeds = cellGraphFeeds(cell);
    checkPass(optimize, cellLossGraph(cell), feeds);
    const t = cellTrainingGraph(cell);
    const trace = optimizeWithTrace(t);
    expect(trace.converged).toBe(true);
    const h = checkPass(optimize, t, feeds);
    expect(h.nodes.length).toBeLessThan(t.nodes.length);
    expect(matmuls(h)).toBeLessThan(matmuls(t));
  });

  it('shrinks an LSTM training graph (T = 8)', () => {
    const cell = CELLS.find(([n]) => n === 'lstm')![1];
    const opts = { ...SMALL, steps: 8 };
    const t = cellTrainingGraph(cell, opts);
    const h = checkPass(optimize, t, cellGraphFeeds(cell, opts));
    const b = countOps(t);
    const a = countOps(h);
    console.log(
      `LSTM training graph, T=8: ${t.nodes.length} → ${h.nodes.length} nodes; matmul ${b.matmul} → ${a.matmul}, add ${b.add} → ${a.add}, pad ${b.pad ?? 0} → ${a.pad ?? 0}, transpose ${b.transpose} → ${a.transpose}`,
    );
    // Forward: 1 hoisted x-projection + 8 recurrent; backward: 8 per step (dh and dx together), 1 for both weight gradients.
    expect(a.matmul).toBe(1 + 8 + 8 + 1);
  });

  it('shrinks a hand-written LSTM training graph (T = 8) to one matmul per step each way', () => {
    const opts = { ...SMALL, steps: 8 };
    const t = cellTrainingGraph(handLstm, opts);
    const h = checkPass(optimize, t, cellGraphFeeds(handLstm, opts));
    console.log(`hand-written LSTM training graph, T=8: ${t.nodes.length} → ${h.nodes.length} nodes; matmul ${matmuls(t)} → ${matmuls(h)}`);
    // Forward: 1 x-projection + 8 recurrent; backward: 8 per step (dh and dx of all gates at once), 1 for all 8 weight matrices.
    expect(matmuls(h)).toBe(1 + 8 + 8 + 1);
  });

  it('batches the matmuls of stacked layers', () => {
    const cell = CELLS.find(([n]) => n === 'lstm')![1];
    const opts = { ...SMALL, layers: 2, steps: 4 };
    const t = cellTrainingGraph(cell, opts);
    const h = checkPass(optimize, t, cellGraphFeeds(cell, opts));
    // Layer 0's h_t feeds its own next step and layer 1's input projection: one matmul per step for
    // both (the last step's projection stays alone); per layer one weight-gradient product.
    expect(matmuls(t)).toBe(2 * 4 * 6);
    expect(matmuls(h)).toBe(2 * (1 + 4 + 4 + 1) + 1);
  });

  it('keeps float32 values of a training graph within float32 rounding', () => {
    const cell = CELLS.find(([n]) => n === 'lstm')![1];
    const opts = { ...SMALL, dtype: 'float32' as const };
    const t = cellTrainingGraph(cell, opts);
    const h = optimize(t);
    verify(h);
    const feeds = cellGraphFeeds(cell, opts);
    const a = interpret(t, feeds);
    const b = interpret(h, feeds);
    for (const name of Object.keys(a)) expectClose(b[name]!, a[name]!, name, 1e-5);
  });

  it('keeps values and gradients on random graphs and is idempotent', () => {
    fc.assert(
      fc.property(recipeArb({ maxSteps: 5 }), rngSeed(), (recipe, seed) => {
        const g = buildRecipe(recipe);
        checkPass(optimize, g, randomFeeds(g, new Rng(seed)));
      }),
      fcParams(20),
    );
  });
});

describe('optimizeWithTrace', () => {
  it('returns each pass’s output graph in pipeline order, ending at the optimised graph', () => {
    const t = cellTrainingGraph(handLstm);
    const trace = optimizeWithTrace(t);
    expect(trace.input).toBe(t);
    expect(trace.steps.length).toBe(trace.rounds * PIPELINE.length);
    trace.steps.forEach((s, i) => {
      expect(s.pass).toBe(PIPELINE[i % PIPELINE.length]!.name);
      expect(s.round).toBe(Math.floor(i / PIPELINE.length));
      verify(s.graph);
    });
    expect(trace.graph).toBe(trace.steps[trace.steps.length - 1]!.graph);
    expect(print(trace.graph)).toBe(print(optimize(t)));
    const lastRound = trace.steps.filter((s) => s.round === trace.rounds - 1);
    expect(lastRound.every((s) => !s.changed)).toBe(true);
    expect(trace.steps.filter((s) => s.changed).map((s) => s.pass)).toEqual(expect.arrayContaining(['hoist-time', 'sum-products', 'batch-gates', 'simplify']));
  });

  it('runs a chosen list of passes by name, and names unknown ones', () => {
    const g = cellLossGraph(handLstm);
    const trace = optimizeWithTrace(g, { passes: ['batch-gates'] });
    expect(new Set(trace.steps.map((s) => s.pass))).toEqual(new Set(['batch-gates']));
    let err: unknown;
    try {
      optimize(g, { passes: ['nope'] });
    } catch (e) {
      err = e;
    }
    expect(isCellgradError(err) && (err as Error).message).toMatch(/unknown pass 'nope'.*batch-gates/);
  });
});
