/**
 * The network options of `cellgrad train` and `cellgrad flow` (`--layers`, `--bidirectional`, the
 * regularisers, `--dtype`): a stacked bidirectional regularised run through the real command, a
 * resume with regularisation equal to the uninterrupted run, and one clear error per bad value.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellgrad, tempDir } from './helpers.js';

const SMALL = ['--cell', 'gru', '--task', 'adding', '--steps', '8', '--hidden', '6', '--batch', '4', '--seed', '3'];
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

describe('cellgrad train / flow network options', () => {
  it('train --layers 2 --bidirectional --dropout 0.2 --task adding --iterations 3 --json runs (the real command)', async () => {
    const dir = tempDir('cellgrad-net-');
    const file = path.join(dir, 'run.json');
    const r = await cellgrad(['train', ...SMALL, '--layers', '2', '--bidirectional', '--dropout', '0.2', '--iterations', '3', '--checkpoint', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = lastJson(r.stdout);
    expect(out.iterations).toBe(3);
    expect(Number.isFinite(out.heldOut)).toBe(true);
    const snap = JSON.parse(readFileSync(file, 'utf8'));
    expect(Object.keys(snap.params)).toContain('weight_hh_l1_reverse');
    expect(JSON.parse(snap.fingerprint)).toMatchObject({ layers: 2, bidirectional: true, regularize: { dropout: 0.2 } });
    // Resuming with other settings is refused; with the same ones it continues.
    const other = await cellgrad([
      'train',
      ...SMALL,
      '--layers',
      '2',
      '--bidirectional',
      '--dropout',
      '0.3',
      '--iterations',
      '4',
      '--checkpoint',
      file,
      '--resume',
    ]);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/different settings/);
  }, 60_000);

  it('a regularised float64 run stopped and resumed has the uninterrupted loss curve', async () => {
    const dir = tempDir('cellgrad-net-');
    const whole = path.join(dir, 'whole.json');
    const part = path.join(dir, 'part.json');
    const opts = [
      ...SMALL,
      '--layers',
      '2',
      '--zoneout',
      '0.1',
      '--variational-state',
      '0.2',
      '--weight-drop',
      '0.3',
      '--dtype',
      'float64',
      '--bptt',
      'checkpoint',
    ];
    const a = await cellgrad(['train', ...opts, '--iterations', '6', '--checkpoint', whole]);
    const b1 = await cellgrad(['train', ...opts, '--iterations', '3', '--checkpoint', part]);
    const b2 = await cellgrad(['train', ...opts, '--iterations', '6', '--checkpoint', part, '--resume']);
    for (const r of [a, b1, b2]) expect(r.code, r.stderr).toBe(0);
    const curve = (f: string): number[] => JSON.parse(readFileSync(f, 'utf8')).losses;
    expect(curve(part)).toEqual(curve(whole));
    expect(JSON.parse(JSON.parse(readFileSync(whole, 'utf8')).fingerprint).dtype).toBe('float64');
  }, 90_000);

  it('flow --layers 2 measures the top layer', async () => {
    const r = await cellgrad([
      'flow',
      '--cell',
      'rnn_tanh',
      '--steps',
      '6',
      '--hidden',
      '4',
      '--batch',
      '2',
      '--layers',
      '2',
      '--dropout',
      '0.1',
      '--points',
      '0,5',
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const report = lastJson(r.stdout);
    expect(report.stateGradNorms).toHaveLength(6);
    expect(report.jacobianNorms[1].norm).toBeCloseTo(1, 6);
  }, 60_000);

  it('bad values: one line naming the option, exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['--dropout', '1'], /--dropout.*probability in \[0, 1\)/],
      [['--zoneout', '-0.1'], /--zoneout.*probability/],
      [['--layers', '0'], /--layers.*positive integer/],
      [['--dropout', '0.2'], /--dropout 0.2 acts between stacked layers.*--layers 2/],
      [['--bidirectional', '--bptt', 'truncated:4'], /--bidirectional needs --bptt full/],
      [['--dtype', 'float16'], /--dtype.*float32, float64/],
    ];
    for (const [extra, message] of cases) {
      const r = await cellgrad(['train', ...SMALL, '--iterations', '1', ...extra]);
      expect(r.code, extra.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);
});
