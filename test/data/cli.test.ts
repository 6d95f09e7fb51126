/**
 * `cellgrad train` on the real-data tasks through the command (in-process): --json gives the test
 * accuracy over the evaluated test images or the bits per character, and the epochs; the progress
 * shows the epoch and an evaluation after each epoch; bad data options are one-line usage errors.
 */
import { expect, it } from 'vitest';
import { tempDir } from '../cli/helpers.js';
import { cellgradInProcess } from '../cli/in-process.js';
import { describeWithData } from '../support/real-data.js';

const inProcess = cellgradInProcess;

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);

describeWithData('cellgrad train on real data', () => {
  it('fashion-rows --iterations 3 --json on a slice: testAccuracy over the whole (sliced) test split, epochs', async () => {
    const r = await inProcess([
      'train',
      '--cell',
      'gru',
      '--task',
      'fashion-rows',
      '--hidden',
      '8',
      '--batch',
      '16',
      '--lr',
      '0.02',
      '--train-limit',
      '32',
      '--test-limit',
      '40',
      '--iterations',
      '3',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const m = lastJson(r.stdout);
    expect(m).toMatchObject({ cell: 'gru', task: 'fashion-rows', iterations: 3, epochs: 1.5, interrupted: false });
    expect(m.testAccuracy).toBe(m.accuracy);
    expect(m.testAccuracy * 40).toBeCloseTo(Math.round(m.testAccuracy * 40), 9); // a count over 40 test images
    expect(m.baseline).toBeCloseTo(Math.log(10), 12);
    expect(m.bitsPerChar).toBeUndefined();
    expect(r.stderr).toMatch(/iteration 3\/3 {2}loss [\d.]+ .* {2}epoch 1\.50/);
    expect(r.stderr).toMatch(/epoch 1: training loss [\d.]+, test loss [\d.]+, test accuracy [\d.]+%/);
  });

  it('fortunes-chars --json: bitsPerChar = held-out loss / ln 2', async () => {
    const r = await inProcess([
      'train',
      '--cell',
      'lstm',
      '--task',
      'fortunes-chars',
      '--steps',
      '16',
      '--hidden',
      '8',
      '--batch',
      '4',
      '--train-limit',
      '40',
      '--test-limit',
      '9',
      '--iterations',
      '2',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const m = lastJson(r.stdout);
    expect(m).toMatchObject({ task: 'fortunes-chars', iterations: 2, epochs: 0.2 });
    expect(m.bitsPerChar).toBeCloseTo(m.heldOut / Math.LN2, 12);
    expect(m.testAccuracy).toBeUndefined();
  });

  it('bad data options are one-line usage errors (exit 2)', async () => {
    const dir = tempDir('cellgrad-nodata-');
    const cases: [string[], RegExp][] = [
      [
        ['--task', 'fashion-rows', '--data-dir', dir],
        /^cellgrad: cannot read .*train-images-idx3-ubyte\.gz: no such file \(install it with `apt-get install dataset-fashion-mnist`/,
      ],
      [['--task', 'fashion-rows', '--steps', '30'], /^cellgrad: --steps 30: task fashion-rows has sequences of 28 steps/],
      [['--task', 'fashion-rows', '--permute', '3'], /^cellgrad: --permute applies to --task fashion-pixels/],
      [['--task', 'adding', '--train-limit', '10'], /^cellgrad: --train-limit applies to the real-data tasks/],
      [['--task', 'fashion-rows', '--train-limit', '10', '--batch', '32'], /^cellgrad: the training split has 10 sequences, fewer than a batch of 32/],
    ];
    for (const [args, message] of cases) {
      const r = await inProcess(['train', '--cell', 'gru', '--iterations', '1', ...args]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    }
  });
});
