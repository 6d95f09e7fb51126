// unroll's loop form: each layer and direction one loop node. It equals the step loop (loop 'never')
// to 1e-12 in float64, in values and gradients, for lstm, gru, rnn_tanh and random user cells, with
// layers, both directions, lengths (both mask modes), batch-first and seq2one; its size does not
// grow with T; its compiled plan equals the interpreter; 'auto' and 'always' choose as documented.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { grad, gradcheck } from '@cellgrad/autodiff';
import { cellFeeds, defineCell, getBuiltinCell, LOOP_MIN_STEPS, unroll, type Cell, type UnrollOptions } from '@cellgrad/cells';
import { compile, extendGraph, interpret, ndarray, verify, type Graph } from '@cellgrad/graph';
import { fcParams } from '../support/fc.js';
import { randomCell, randomCellShape } from '../support/random-cell.js';
import { expectClose } from '../passes/helpers.js';

const loops = (g: Graph) => g.nodes.filter((n) => n.op === 'loop').length;

/** loss = Σ out ⊙ tanh(out) (or Σ logits²) + Σ finals², so every output gets a cotangent. */
function withLoss(g: Graph): Graph {
  return extendGraph(g, (ctx) => {
    let loss = ctx.outputs.out ? ctx.outputs.out.mul(ctx.outputs.out.tanh()).sum() : ctx.outputs.logits!.square().sum();
    for (const [name, t] of Object.entries(ctx.outputs)) if (name.endsWith('_T')) loss = loss.add(t.mul(t).sum());
    return { loss };
  });
}

function feedsFor(cell: Cell, options: UnrollOptions, seed: number) {
  const feeds = cellFeeds(cell, { ...options, dtype: 'float64' }, seed);
  if (!options.lengths) return feeds;
  const lengths = Array.from({ length: options.batch }, (_, i) => Math.max(1, options.steps - ((i * 2) % options.steps)));
  return { ...feeds, lengths: ndarray(lengths, [options.batch]) };
}

/** The loop form and the step loop give the same outputs and gradients (1e-12 relative). */
function expectLoopEqualsSteps(cell: Cell, options: UnrollOptions, seed = 1): void {
  const looped = unroll(cell, { ...options, dtype: 'float64', loop: 'always' });
  const stepped = unroll(cell, { ...options, dtype: 'float64', loop: 'never' });
  expect(loops(looped)).toBe((options.layers ?? 1) * (options.bidirectional ? 2 : 1));
  expect(loops(stepped)).toBe(0);
  verify(looped);
  expect(looped.inputs.map((p) => p.name)).toEqual(stepped.inputs.map((p) => p.name));
  expect(looped.outputs.map((p) => p.name)).toEqual(stepped.outputs.map((p) => p.name));
  const feeds = feedsFor(cell, options, seed);
  const a = interpret(grad(withLoss(looped), { of: 'loss' }), feeds);
  const b = interpret(grad(withLoss(stepped), { of: 'loss' }), feeds);
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(b)) expectClose(a[k]!, b[k]!, k, 1e-12);
}

const base = { input: 3, hidden: 4, batch: 3, steps: 5 };

describe('unroll loop form', () => {
  it.each(['lstm', 'gru', 'rnn_tanh'])('%s equals the step loop in values and gradients', (name) => {
    const cell = getBuiltinCell(name);
    expectLoopEqualsSteps(cell, base);
    expectLoopEqualsSteps(cell, { ...base, layers: 2, bidirectional: true }, 2);
    expectLoopEqualsSteps(cell, { ...base, lengths: true, batchFirst: true }, 3);
    expectLoopEqualsSteps(cell, { ...base, lengths: true, maskMode: 'carry', bidirectional: true }, 4);
    expectLoopEqualsSteps(cell, { ...base, pattern: 'seq2one', classes: 2, lengths: true }, 5);
  });

  it('random user cells equal the step loop', () => {
    fc.assert(
      fc.property(randomCellShape, fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 2 }), fc.boolean(), (shape, steps, layers, lengths) => {
        expectLoopEqualsSteps(randomCell(shape), { ...base, steps, layers, lengths }, steps);
      }),
      fcParams(12),
    );
  });

  it('gradchecks (lstm, two layers, lengths) and the graph does not grow with T', () => {
    const lstm = getBuiltinCell('lstm');
    const g = withLoss(unroll(lstm, { input: 2, hidden: 2, batch: 2, steps: 3, layers: 2, lengths: true, dtype: 'float64', loop: 'always' }));
    const feeds = feedsFor(lstm, { input: 2, hidden: 2, batch: 2, steps: 3, layers: 2, lengths: true }, 9);
    const wrt = g.inputs.map((p) => p.name).filter((n) => n !== 'lengths');
    expect(gradcheck(g, feeds, { outputs: ['loss'], wrt, mode: 'fast', seed: 3 }).passed).toBe(true);
    const size = (steps: number) => grad(withLoss(unroll(lstm, { ...base, steps, loop: 'always' })), { of: 'loss' }).nodes.length;
    expect(size(1000)).toBe(size(10));
  });

  it('compiled plans equal the interpreter', () => {
    const gru = getBuiltinCell('gru');
    const options = { ...base, steps: 7, lengths: true };
    const g = grad(withLoss(unroll(gru, { ...options, dtype: 'float64', loop: 'always' })), { of: 'loss' });
    const feeds = feedsFor(gru, options, 11);
    const ref = interpret(g, feeds);
    const exe = compile(g, { dtype: 'float64' });
    const out = exe.run(feeds);
    expect(exe.stats.loops).toBe(2);
    for (const k of Object.keys(ref)) expectClose(out[k]!, ref[k]!, k, 1e-12);
  });

  it("'auto' loops from LOOP_MIN_STEPS steps on and 'always' explains a refusal", () => {
    const lstm = getBuiltinCell('lstm');
    expect(loops(unroll(lstm, { ...base, steps: LOOP_MIN_STEPS }))).toBe(1);
    expect(loops(unroll(lstm, { ...base, steps: LOOP_MIN_STEPS - 1 }))).toBe(0);
    expect(loops(unroll(lstm, { ...base, steps: LOOP_MIN_STEPS, loop: 'never' }))).toBe(0);
    // A linear cell still runs as scans.
    expect(loops(unroll(getBuiltinCell('mingru'), { ...base, steps: LOOP_MIN_STEPS }))).toBe(0);
    const clock = defineCell({
      name: 'clock',
      params: ({ hidden: H, input: I }) => ({ W: [H, I] }),
      state: ({ hidden: H }) => ({ h: [H] }),
      // Reads the time index through the builder's scope: its graph differs from step to step.
      step: ({ x, h }, { W }) => ({ h: h!.add(x!.matmul(W!.T).mul((x!.builder.currentScope?.step ?? 0) + 1)).tanh() }),
    });
    expect(loops(unroll(clock, { ...base, steps: LOOP_MIN_STEPS }))).toBe(0);
    expect(() => unroll(clock, { ...base, loop: 'always' })).toThrow(
      /loop 'always', but the unroll cannot run as loops: the step of cell 'clock' builds a different graph at each time step/,
    );
    expect(() => unroll(lstm, { ...base, loop: 'always', regularize: { dropout: 0.5 } })).toThrow(/loop 'always'.*regularisers run step by step/);
    expect(() => unroll(lstm, { ...base, loop: 'sometimes' as never })).toThrow(/unknown loop mode "sometimes"/);
  });
});
