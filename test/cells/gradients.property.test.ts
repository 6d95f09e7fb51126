// Gradients of every built-in cell and of a user-defined cell, in every design pattern, equal
// finite differences: random sizes, T in 1..12, layers 1..3, bidirectional on and off. Tiny cases
// compare every Jacobian element ('full'); bigger ones compare random projections vᵀJu ('fast').
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { formatGradcheck, gradcheck } from '@cellgrad/autodiff';
import { linear, sizeOf } from '@cellgrad/graph';
import {
  builtinCells,
  cellFeeds,
  defineCell,
  describeUnroll,
  gruCell,
  jordanCell,
  lstmCell,
  outputFeedback,
  unroll,
  withCrossEntropy,
  type Cell,
  type UnrollOptions,
} from '@cellgrad/cells';
import { fcParams } from '../support/fc.js';

/** A user-defined cell (minimal gated unit) with a projected output, to show stacking works for it. */
const mgu = defineCell({
  name: 'mgu_projected',
  params: ({ input: I, hidden: H }) => ({ W: [2 * H, I], U: [2 * H, H], b: [2 * H], P: [2, H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  outputSize: () => 2,
  step: ({ x, h }, { W, U, b, P }) => {
    const [wf, wn] = W!.split(2, 0);
    const [uf, un] = U!.split(2, 0);
    const [bf, bn] = b!.split(2);
    const f = linear(x, wf!, bf).add(linear(h!, uf!)).sigmoid();
    const n = linear(x, wn!, bn)
      .add(linear(h!.mul(f), un!))
      .tanh();
    const hNext = f.oneMinus().mul(h!).add(f.mul(n));
    return { h: hNext, y: linear(hNext, P!) };
  },
});

const variants: Record<string, Cell> = {
  ...Object.fromEntries(Object.entries(builtinCells)),
  lstm_torch_hard_sigmoid2: lstmCell({ name: 'lstm_torch_hard_sigmoid2', gate: 'hard_torch', candidate: 'sigmoid2', forgetBias: 1 }),
  lstm_peephole_no_forget: lstmCell({ name: 'lstm_peephole_no_forget', forgetGate: false, peephole: true, bias: 'none' }),
  gru_keras_reset_before: gruCell({ name: 'gru_keras_reset_before', reset: 'before', bias: 'one' }),
  gru_two_bias_reset_before: gruCell({ name: 'gru_two_bias_reset_before', reset: 'before', bias: 'two' }),
  gru_after_no_bias: gruCell({ name: 'gru_after_no_bias', reset: 'after', bias: 'none' }),
  jordan_3_outputs: jordanCell({ name: 'jordan_3_outputs', outputs: 3 }),
  mgu_projected: mgu,
  lstm_feedback: outputFeedback(builtinCells.lstm!, { outputs: 2 }),
  mgu_feedback: outputFeedback(mgu),
};

const sizes = fc.record({
  input: fc.integer({ min: 1, max: 3 }),
  hidden: fc.integer({ min: 1, max: 3 }),
  batch: fc.integer({ min: 1, max: 2 }),
  steps: fc.integer({ min: 1, max: 12 }),
  layers: fc.integer({ min: 1, max: 3 }),
  bidirectional: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1000 }),
});

/** Number of scalars fed to the graph. */
const inputSize = (cell: Cell, o: UnrollOptions) => describeUnroll(cell, o).inputs.reduce((n, s) => n + sizeOf(s.shape), 0);

function check(cell: Cell, o: UnrollOptions, seed: number, wrap = (g: ReturnType<typeof unroll>) => g): void {
  const g = wrap(unroll(cell, { ...o, dtype: 'float64' }));
  // IRNN's own init (W_ih ~ N(0, 1e-6), zero biases) puts pre-activations within ε of relu's kink,
  // where central differences are meaningless; its step is rnn_relu's, so it is checked at those feeds.
  const feedCell = cell === builtinCells.irnn ? builtinCells.rnn_relu! : cell;
  const feeds = { ...cellFeeds(feedCell, { ...o, dtype: 'float64' }, seed) };
  for (const p of g.inputs) {
    if (!(p.name in feeds)) {
      const shape = g.nodes[p.id]!.shape;
      const n = sizeOf(shape);
      // Soft labels that sum to one per row (any distribution works for cross-entropy).
      feeds[p.name] = {
        shape: [...shape],
        data: Float64Array.from({ length: n }, (_, i) => 1 / shape[shape.length - 1]! + ((i % 2) - 0.5) * 0.1 * (shape[shape.length - 1]! > 1 ? 1 : 0)),
      };
    }
  }
  const tiny = o.steps <= 3 && (o.layers ?? 1) === 1 && inputSize(cell, o) <= 80;
  const report = gradcheck(g, feeds, { mode: tiny ? 'full' : 'fast', seed, timeAxes: { x: 0, out: 0, targets: 0 } });
  expect(report.passed, `${cell.name} ${JSON.stringify(o)}\n${formatGradcheck(report)}`).toBe(true);
}

describe('gradients equal finite differences', () => {
  it.each(Object.keys(variants))('%s, sequence to sequence', (name) => {
    const cell = variants[name]!;
    fc.assert(
      fc.property(sizes, ({ seed, ...o }) => check(cell, o, seed)),
      fcParams(4),
    );
  });

  it.each(['lstm', 'gru', 'rnn_tanh', 'jordan', 'mgu_projected', 'lstm_feedback'])('%s, sequence to one (softmax head, cross-entropy)', (name) => {
    const cell = variants[name]!;
    fc.assert(
      fc.property(sizes, fc.integer({ min: 2, max: 3 }), ({ seed, ...o }, classes) =>
        check(cell, { ...o, pattern: 'seq2one', classes }, seed, withCrossEntropy),
      ),
      fcParams(3),
    );
  });

  it.each(['jordan', 'jordan_3_outputs', 'lstm_feedback', 'mgu_feedback'])('%s, Jordan feedback with teacher forcing', (name) => {
    const cell = variants[name]!;
    fc.assert(
      fc.property(sizes, ({ seed, ...o }) => check(cell, { ...o, teacherForcing: true }, seed)),
      fcParams(4),
    );
  });

  it('tiny cases use the full Jacobian (every element compared)', () => {
    const o = { input: 2, hidden: 2, batch: 1, steps: 2 };
    const report = gradcheck(unroll(builtinCells.lstm!, { ...o, dtype: 'float64' }), cellFeeds(builtinCells.lstm!, { ...o, dtype: 'float64' }, 1));
    expect(report.mode).toBe('full');
    expect(report.passed).toBe(true);
  });
});
