/**
 * End to end: the trainer really learns (compiled float32 executor) on short seeded tasks — the
 * adding problem well below its 1/6 baseline, the majority classification far above chance — and
 * one seed reproduces the run exactly.
 */
import { describe, expect, it } from 'vitest';
import { Trainer, addingTask, getBuiltinCell, majorityTask, type TrainConfig } from '@cellgrad/cells';

describe('training learns', () => {
  it('GRU on the adding problem (T = 10): held-out MSE far below the 1/6 baseline; same seed, same curve', () => {
    const config: TrainConfig = {
      cell: getBuiltinCell('gru'),
      task: addingTask(10),
      hidden: 16,
      batch: 32,
      seed: 2,
      optimizer: { kind: 'adam' },
      lr: 0.01,
      clip: { kind: 'global-norm', maxNorm: 1 },
    };
    const t = new Trainer(config);
    const before = t.evaluate(4).loss;
    for (let i = 0; i < 300; i++) t.step();
    const after = t.evaluate(4).loss;
    expect(before).toBeGreaterThan(0.1);
    expect(after).toBeLessThan(0.02);
    const again = new Trainer(config);
    for (let i = 0; i < 20; i++) again.step();
    expect(again.losses).toEqual(t.losses.slice(0, 20));
  });

  it('LSTM on majority classification (seq2one softmax head): accuracy far above chance', () => {
    const t = new Trainer({
      cell: getBuiltinCell('lstm'),
      task: majorityTask(16, 4),
      hidden: 16,
      batch: 32,
      seed: 1,
      optimizer: { kind: 'rmsprop' },
      lr: 0.01,
      clip: { kind: 'global-norm', maxNorm: 1 },
    });
    for (let i = 0; i < 200; i++) t.step();
    const ev = t.evaluate(4);
    expect(ev.accuracy).toBeGreaterThan(0.8);
    expect(ev.loss).toBeLessThan(0.6 * Math.log(4));
  });
});
