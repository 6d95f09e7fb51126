// Gradients through the sequence features equal central finite differences (float64): random
// lengths (both mask modes, both directions, stacked), batch-first layout, LSTM projection and the
// layer-normalised LSTM; random sizes, seeds and lengths.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatGradcheck, gradcheck } from '@cellgrad/autodiff';
import { builtinCells, cellFeeds, lstm, unroll, withProjection, type Cell, type UnrollOptions } from '@cellgrad/cells';
import { fcParams } from '../support/fc.js';

const sizes = fc.record({
  input: fc.integer({ min: 1, max: 3 }),
  hidden: fc.integer({ min: 1, max: 3 }),
  batch: fc.integer({ min: 1, max: 3 }),
  steps: fc.integer({ min: 1, max: 5 }),
  layers: fc.integer({ min: 1, max: 2 }),
  bidirectional: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
});

function check(cell: Cell, o: UnrollOptions, seed: number, lengths?: readonly number[]): void {
  const opts = { ...o, dtype: 'float64' as const };
  const feeds = cellFeeds(cell, opts, seed);
  if (lengths) feeds.lengths = { shape: [o.batch], data: Float64Array.from(lengths) };
  const timeAxis = o.batchFirst ? 1 : 0;
  const report = gradcheck(unroll(cell, opts), feeds, { mode: 'fast', seed, timeAxes: { x: timeAxis, out: timeAxis } });
  expect(report.passed, `${cell.name} ${JSON.stringify(o)} lengths ${JSON.stringify(lengths)}\n${formatGradcheck(report)}`).toBe(true);
}

describe('gradients through sequence features equal finite differences', () => {
  it.each(['rnn_tanh', 'lstm', 'gru'])('%s with random lengths, both mask modes, both directions, stacked', (name) => {
    const cell = builtinCells[name]!;
    const arb = sizes.chain((s) =>
      fc.record({
        s: fc.constant(s),
        lengths: fc.array(fc.integer({ min: 1, max: s.steps }), { minLength: s.batch, maxLength: s.batch }),
        maskMode: fc.constantFrom('zero' as const, 'carry' as const),
      }),
    );
    fc.assert(
      fc.property(arb, ({ s: { seed, ...o }, lengths, maskMode }) => check(cell, { ...o, lengths: true, maskMode }, seed, lengths)),
      fcParams(6),
    );
  });

  it.each(['lstm', 'gru'])('%s batch-first (with and without lengths)', (name) => {
    const cell = builtinCells[name]!;
    fc.assert(
      fc.property(sizes, fc.boolean(), ({ seed, ...o }, packed) => {
        const lengths = packed ? Array.from({ length: o.batch }, (_, b) => 1 + ((seed + b) % o.steps)) : undefined;
        check(cell, { ...o, batchFirst: true, lengths: packed }, seed, lengths);
      }),
      fcParams(5),
    );
  });

  it('LSTM with a projection (random P, stacked, bidirectional, packed)', () => {
    fc.assert(
      fc.property(sizes, fc.integer({ min: 1, max: 3 }), ({ seed, ...o }, proj) => {
        const lengths = Array.from({ length: o.batch }, (_, b) => 1 + ((seed * 7 + b) % o.steps));
        check(withProjection(lstm, proj), { ...o, lengths: true }, seed, lengths);
      }),
      fcParams(6),
    );
  });

  it('layer-normalised LSTM (stacked, bidirectional, packed)', () => {
    fc.assert(
      fc.property(sizes, ({ seed, ...o }) => {
        const lengths = Array.from({ length: o.batch }, (_, b) => 1 + ((seed + 3 * b) % o.steps));
        check(builtinCells.lstm_layernorm!, { ...o, lengths: true }, seed, lengths);
      }),
      fcParams(6),
    );
  });
});
