/**
 * Training that diverges stops: a non-finite loss, gradient, parameter or optimizer buffer ends the
 * run with a `nonfinite` CellgradError naming the tensor and the iteration (1-based, as the progress
 * counts), nothing non-finite is ever saved, and the last good checkpoint stays on disk, loadable.
 * Before this, `cellgrad train --lr 1e30` ran on with loss Infinity, exited 0 with `"loss": null`
 * and saved `null` parameters that no later run could load.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Trainer, addingTask, getBuiltinCell, type TrainConfig } from '@cellgrad/cells';
import { loadCheckpoint } from '@cellgrad/cells/node';
import { cellgrad, tempDir } from '../cli/helpers.js';
import { thrown } from './helpers.js';

const model = ['--cell', 'rnn_tanh', '--task', 'adding', '--steps', '5', '--hidden', '4', '--batch', '4', '--seed', '3'];

describe('cellgrad train stops at the first non-finite value', () => {
  it('a diverging loss: exit 2, one line naming the loss and iteration, the last good checkpoint kept', async () => {
    const dir = tempDir('cellgrad-diverge-');
    const ckpt = path.join(dir, 'run.json');
    const args = ['train', ...model, '--optimizer', 'sgd', '--lr', '1e30', '--iterations', '6', '--checkpoint', ckpt, '--checkpoint-every', '1'];
    const r = await cellgrad([...args, '--log-every', '1', '--json']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('cellgrad: '));
    expect(lines).toEqual(['cellgrad: iteration 2: loss is Infinity (training diverged: lower the learning rate or clip the gradients)']);
    // The checkpoint of iteration 1 is intact and loads (finite values, one finite loss). Resumed to its
    // own length it passes every check; its parameters (one step at lr 1e30) are finite but overflow in
    // the held-out pass, which is named too instead of being printed as a null loss.
    const kept = loadCheckpoint(ckpt);
    expect(kept.iteration).toBe(1);
    expect(kept.losses.every(Number.isFinite)).toBe(true);
    const resumed = await cellgrad([...args.map((a) => (a === '6' ? '1' : a)), '--resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(2);
    expect(resumed.stderr).toMatch(/^cellgrad: held-out evaluation after iteration 1: loss is (Infinity|NaN) although training stayed finite/m);
    expect(loadCheckpoint(ckpt)).toEqual(kept);
  }, 120_000);

  it('finite parameters that overflow in the held-out evaluation: exit 2 naming it, not a null held-out loss', async () => {
    const dir = tempDir('cellgrad-diverge-');
    const ckpt = path.join(dir, 'run.json');
    const args = ['train', ...model, '--iterations', '2', '--checkpoint', ckpt];
    expect((await cellgrad(args)).code).toBe(0);
    // Finite but huge readout weights (1e30): the float32 held-out pass squares them past 3.4e38.
    const saved = JSON.parse(readFileSync(ckpt, 'utf8'));
    saved.params.head_weight = saved.params.head_weight.map(() => 1e30);
    writeFileSync(ckpt, JSON.stringify(saved));
    const r = await cellgrad([...args, '--resume', '--json']);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^cellgrad: held-out evaluation after iteration 2: loss is (Infinity|NaN) although training stayed finite/m);
  }, 120_000);

  it('parameters overflowing in the update: the parameter and its count named, no checkpoint written', async () => {
    const dir = tempDir('cellgrad-diverge-');
    const ckpt = path.join(dir, 'run.json');
    const r = await cellgrad([
      'train',
      ...model,
      '--optimizer',
      'sgd',
      '--lr',
      '1.7e308',
      '--clip',
      'none',
      '--executor',
      'interpreted',
      '--iterations',
      '3',
      '--checkpoint',
      ckpt,
      '--json',
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(
      "cellgrad: iteration 1: parameter 'head_bias' has 1 non-finite value after the update (training diverged: lower the learning rate or clip the gradients)",
    );
    expect(existsSync(ckpt)).toBe(false);
  }, 60_000);
});

describe('Trainer: non-finite values stop the run', () => {
  const config: TrainConfig = {
    cell: getBuiltinCell('rnn_tanh'),
    task: addingTask(5),
    hidden: 4,
    batch: 4,
    seed: 3,
    optimizer: { kind: 'sgd' },
    lr: 1e30,
    exec: { executor: 'compiled' },
  };

  it('the loss is checked every step; the failed trainer refuses to step again or to save', () => {
    const t = new Trainer(config);
    t.step();
    const good = JSON.stringify(t.save());
    const e = thrown(() => t.step());
    expect(e.kind).toBe('nonfinite');
    expect(e.message).toBe('iteration 2: loss is Infinity (training diverged: lower the learning rate or clip the gradients)');
    expect(t.iteration).toBe(1);
    expect(t.losses).toHaveLength(1);
    expect(thrown(() => t.save()).message).toBe(e.message);
    expect(thrown(() => t.step()).message).toBe(e.message);
    expect(JSON.parse(good).losses.every(Number.isFinite)).toBe(true);
  });

  /** Cell weights zero (h = 0), a huge readout: the loss stays finite while ∂L/∂h = 2·err·w is huge. */
  const blowUp = (t: Trainer, err: number, w: number) => {
    for (const p of ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) t.params[p]!.fill(0);
    t.params.head_weight!.fill(w);
    t.params.head_bias!.fill(err);
  };

  it('a non-finite gradient is named before the update touches the parameters', () => {
    const t = new Trainer({ ...config, lr: 0.01, exec: { executor: 'interpreted', dtype: 'float64' } });
    blowUp(t, 1e150, 1e170); // loss ≈ 1e300, ∂L/∂h ≈ 1e320 = Infinity
    const before = Object.fromEntries(Object.entries(t.params).map(([p, v]) => [p, Array.from(v)]));
    const e = thrown(() => t.step());
    expect(e.kind).toBe('nonfinite');
    expect(e.message).toMatch(/^iteration 1: gradient of '(weight_ih|weight_hh|bias_ih|bias_hh)' has \d+ non-finite values? before the update \(/);
    for (const [p, v] of Object.entries(t.params)) expect(Array.from(v), p).toEqual(before[p]);
  });

  it('a non-finite optimizer buffer after the update is named (the second moment of Adam overflows while the parameters stay finite)', () => {
    const t = new Trainer({ ...config, optimizer: { kind: 'adam' }, lr: 1e-3, exec: { executor: 'interpreted', dtype: 'float64' } });
    blowUp(t, 1e100, 1e60); // gradients ≈ 1e160: finite, but g² overflows
    const e = thrown(() => t.step());
    expect(e.kind).toBe('nonfinite');
    expect(e.message).toMatch(/^iteration 1: optimizer buffer 'v\.(weight_ih|bias_ih|bias_hh)' has \d+ non-finite values? after the update \(/);
    for (const v of Object.values(t.params)) expect(v.every(Number.isFinite)).toBe(true);
  });
});
