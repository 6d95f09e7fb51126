/**
 * The real-data tasks: Fashion-MNIST row by row and pixel by pixel (layouts against the image
 * bytes, one-hot labels, scaling, the permutation), epochs of a seeded permutation (batch i a pure
 * function of the seed and i; a resumed trainer sees the uninterrupted run's data), evaluation over
 * the whole test split with a padded last batch, the accuracy count, and a short training run.
 */
import { expect, it } from 'vitest';
import {
  Trainer,
  batchIndices,
  countCorrect,
  epochAt,
  evaluate,
  fixedPermutation,
  getBuiltinCell,
  initModel,
  modelOf,
  taskBatch,
  type TrainConfig,
} from '@cellgrad/cells';
import { fashionPixelsTask, fashionRowsTask, loadFashionMnist, makeTask } from '@cellgrad/cells/node';
import { describeWithData } from '../support/real-data.js';

const rows = fashionRowsTask({ trainLimit: 96, testLimit: 20 });
const images = loadFashionMnist('train', { limit: 96 });
const tests = loadFashionMnist('test', { limit: 20 });

describeWithData('Fashion-MNIST tasks', () => {
  it('rows: x[t, b] is row t of the image scaled to [0, 1]; y the one-hot label; seq2one cross-entropy over 10 classes', () => {
    expect(rows).toMatchObject({ name: 'fashion-rows', steps: 28, input: 28, loss: { kind: 'xent', at: 'last', outputs: 10 }, metric: 'accuracy' });
    expect(rows.data).toMatchObject({ trainSize: 96, heldoutSize: 20 });
    const B = 3;
    const batch = rows.data!.fill('train', [5, 0, 17]);
    [5, 0, 17].forEach((n, b) => {
      for (const [t, i] of [
        [0, 0],
        [14, 13],
        [27, 27],
        [10, 5],
      ] as const) {
        expect(batch.x[(t * B + b) * 28 + i]).toBe(images.images[n * 784 + t * 28 + i]! / 255);
      }
      expect(Array.from(batch.y.subarray(b * 10, b * 10 + 10))).toEqual(Array.from({ length: 10 }, (_, c) => (c === images.labels[n] ? 1 : 0)));
    });
    expect(Array.from(batch.mask)).toEqual([1, 1, 1]);
    const held = rows.data!.fill('heldout', [19, -1]);
    expect(held.y[tests.labels[19]!]).toBe(1);
    expect(Array.from(held.mask)).toEqual([1, 0]);
    expect(held.x.filter((_, k) => Math.floor(k / 28) % 2 === 1).every((v) => v === 0)).toBe(true); // [T, B=2, I]: the padded slot is zeros
    expect(held.x.filter((_, k) => Math.floor(k / 28) % 2 === 0).some((v) => v > 0)).toBe(true);
  });

  it('pixels: T = 784 steps of one pixel, in a fixed seeded order when permuted; standardised pixels have mean 0 and deviation 1', () => {
    const plain = fashionPixelsTask({ trainLimit: 10, testLimit: 10 });
    const permuted = fashionPixelsTask({ trainLimit: 10, testLimit: 10, permutationSeed: 4 });
    expect([plain.steps, plain.input]).toEqual([784, 1]);
    const order = fixedPermutation(4, 784);
    expect(new Set(order).size).toBe(784);
    expect(Array.from(fixedPermutation(4, 784))).toEqual(Array.from(order));
    const a = plain.data!.fill('train', [2]);
    const p = permuted.data!.fill('train', [2]);
    for (const t of [0, 100, 400, 783]) {
      expect(a.x[t]).toBe(images.images[2 * 784 + t]! / 255);
      expect(p.x[t]).toBe(images.images[2 * 784 + order[t]!]! / 255);
    }
    const std = fashionRowsTask({ trainLimit: 10, testLimit: 10, standardize: true });
    const all = std.data!.fill(
      'train',
      Array.from({ length: 10 }, (_, i) => i),
    ).x;
    const mean = all.reduce((s, v) => s + v, 0) / all.length;
    const variance = all.reduce((s, v) => s + (v - mean) ** 2, 0) / all.length;
    expect(mean).toBeCloseTo(0, 10);
    expect(variance).toBeCloseTo(1, 10);
    expect(() => makeTask('fashion-rows', 28, { permutationSeed: 1 })).toThrow(/a pixel permutation applies to fashion-pixels only/);
  });

  it('epochs: every training sequence once per epoch in a seeded order; batch i depends only on seed and i', () => {
    const data = rows.data!;
    const B = 8; // 12 batches per epoch
    const epoch = (seed: number, e: number) => Array.from({ length: 12 }, (_, k) => batchIndices(data, seed, 'train', e * 12 + k, B)).flat();
    const e0 = epoch(1, 0);
    expect([...e0].sort((x, y) => x - y)).toEqual(Array.from({ length: 96 }, (_, i) => i));
    expect(epoch(1, 1)).not.toEqual(e0);
    expect([...epoch(1, 1)].sort((x, y) => x - y)).toEqual(Array.from({ length: 96 }, (_, i) => i));
    expect(epoch(2, 0)).not.toEqual(e0);
    // Asking out of order (as a resumed run does) gives the same batch.
    expect(batchIndices(data, 1, 'train', 5, B)).toEqual(e0.slice(40, 48));
    expect(taskBatch(rows, 1, 'train', 5, B)).toEqual(data.fill('train', e0.slice(40, 48)));
    expect(epochAt(rows, 18, B)).toBe(1.5);
    // The held-out stream is the test split in order, the last batch padded.
    expect(batchIndices(data, 1, 'heldout', 2, B)).toEqual([16, 17, 18, 19, -1, -1, -1, -1]);
    expect(() => batchIndices(data, 1, 'heldout', 3, B)).toThrow(/held-out batch 3 of 8 is past the end/);
    expect(() => batchIndices(data, 1, 'train', 0, 100)).toThrow(/the training split has 96 sequences, fewer than a batch of 100/);
  });

  it('countCorrect: the argmax of each unmasked row against its one-hot target', () => {
    const pred = [0.1, 2, -1, /**/ 3, 0, 0, /**/ 0, 0, 5, /**/ 9, 0, 0];
    const y = [0, 1, 0, /**/ 0, 1, 0, /**/ 0, 0, 1, /**/ 0, 0, 1];
    expect(countCorrect(pred, y, [1, 1, 1, 0], 3)).toEqual({ hits: 2, terms: 3 });
    expect(countCorrect(pred, y, [1, 1, 1, 1], 3)).toEqual({ hits: 2, terms: 4 });
    expect(countCorrect([1, 1], [0, 1], [1], 2)).toEqual({ hits: 0, terms: 1 }); // ties go to the first class
  });

  it('evaluation covers the whole test split: the padded last batch changes neither loss nor accuracy', () => {
    const cell = getBuiltinCell('gru');
    const exec = { executor: 'interpreted', dtype: 'float64' } as const;
    const spec = (batch: number) => ({ cell, input: 28, hidden: 6, batch, steps: 28, loss: rows.loss, dtype: 'float64' as const });
    const params = initModel(spec(5), 3);
    const exact = evaluate(spec(5), params, rows, 0, undefined, exec); // 4 full batches
    const padded = evaluate(spec(7), params, rows, 0, undefined, exec); // 3 batches, one slot padded
    expect(exact.sequences).toBe(20);
    expect(padded.sequences).toBe(20);
    expect(padded.loss).toBeCloseTo(exact.loss, 12);
    expect(padded.accuracy).toBe(exact.accuracy);
    // The accuracy is the count over the 20 test images of the model's argmax predictions.
    expect(exact.accuracy! * 20).toBeCloseTo(Math.round(exact.accuracy! * 20), 12);
  });

  it('fashion-rows trains on a slice: the loss falls and a resumed trainer continues bit for bit across epochs', () => {
    const config: TrainConfig = {
      cell: getBuiltinCell('gru'),
      task: rows,
      hidden: 16,
      batch: 16,
      seed: 2,
      optimizer: { kind: 'adam' },
      lr: 0.02,
      exec: { executor: 'compiled', dtype: 'float32' },
    };
    const whole = new Trainer(config);
    for (let i = 0; i < 15; i++) whole.step();
    const part = new Trainer(config);
    for (let i = 0; i < 4; i++) part.step();
    const resumed = Trainer.restore(config, part.save());
    for (let i = 4; i < 15; i++) resumed.step();
    expect(resumed.losses).toEqual(whole.losses);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(whole.losses.slice(-5))).toBeLessThan(mean(whole.losses.slice(0, 5)) - 0.2);
    const ev = whole.evaluate();
    expect(ev.sequences).toBe(20);
    expect(ev.accuracy).toBeGreaterThan(0.2); // chance is 0.1
    expect(modelOf(config).steps).toBe(28);
    // A different slice is a different run: its checkpoints do not resume this one.
    const other = { ...config, task: fashionRowsTask({ trainLimit: 64, testLimit: 20 }) };
    expect(() => Trainer.restore(other, part.save())).toThrow(/different settings/);
  });
});
