/**
 * `cellgrad train --layers 2 --bidirectional --dropout 0.2` on every task of `cellgrad train --help`
 * (the synthetic ones, the packed majority task and the three real-data tasks on tiny slices), with
 * the built-in cells and a user's cell file: each run exits 0 with a finite loss, and its checkpoint
 * holds the stacked bidirectional parameters and the dropout (the options took effect).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { TASKS } from '@cellgrad/cells/node';
import { cellgradMany, tempDir } from '../cli/helpers.js';
import { describeWithData } from '../support/real-data.js';

const NETWORK = ['--layers', '2', '--bidirectional', '--dropout', '0.2', '--iterations', '2', '--hidden', '4', '--batch', '4', '--json'];
const SLICE = ['--train-limit', '16', '--test-limit', '8', '--eval-batches', '1'];

/** One run per task: the cell and the extra options (small T for the synthetic tasks, slices for the real ones). */
const RUNS: Readonly<Record<string, readonly string[]>> = {
  adding: ['--cell', 'lstm', '--steps', '10'],
  copy: ['--cell', 'gru', '--steps', '12'],
  majority: ['--cell', 'rnn_tanh', '--steps', '10'],
  'majority-packed': ['--cell', 'examples/cells/peephole-lstm.ts', '--steps', '10', '--zoneout', '0.1', '--weight-drop', '0.3'],
  'fashion-rows': ['--cell', 'lstm', ...SLICE],
  // 784 steps × 2 layers × 2 directions: the interpreter skips the compile, the slow part of so short a run.
  'fashion-pixels': ['--cell', 'rnn_tanh', '--executor', 'interpreted', ...SLICE],
  'fortunes-chars': ['--cell', 'gru', '--steps', '8', ...SLICE],
};

describeWithData('cellgrad train: every task with a stacked bidirectional network and dropout', () => {
  it('runs each task of the registry, with finite losses and the 2-layer bidirectional parameters', { timeout: 240_000 }, async () => {
    expect(Object.keys(RUNS).sort()).toEqual(Object.keys(TASKS).sort()); // a new task must join this test
    const dir = tempDir('cellgrad-every-task-');
    const names = Object.keys(RUNS);
    const runs = await cellgradMany(names.map((task) => ['train', '--task', task, ...RUNS[task]!, ...NETWORK, '--checkpoint', path.join(dir, `${task}.json`)]));
    runs.forEach((r, i) => {
      const task = names[i]!;
      expect(r.code, `${task}: ${r.stderr}`).toBe(0);
      const metrics = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { task: string; iterations: number; loss: number; heldOut: number };
      expect(metrics).toMatchObject({ task, iterations: 2 });
      expect(Number.isFinite(metrics.loss) && Number.isFinite(metrics.heldOut), `${task}: ${r.stdout}`).toBe(true);
      const snap = JSON.parse(readFileSync(path.join(dir, `${task}.json`), 'utf8')) as { fingerprint: string; params: Record<string, number[]> };
      expect(Object.keys(snap.params)).toEqual(expect.arrayContaining(['weight_hh_l0_reverse', 'weight_hh_l1', 'weight_hh_l1_reverse']));
      expect(JSON.parse(snap.fingerprint)).toMatchObject({ layers: 2, bidirectional: true, regularize: { dropout: 0.2 } });
    });
    const packed = JSON.parse(readFileSync(path.join(dir, 'majority-packed.json'), 'utf8')) as { fingerprint: string };
    expect(JSON.parse(packed.fingerprint)).toMatchObject({ lengths: true, regularize: { weightDrop: 0.3 } });
  });
});
