/**
 * Determinism: one seed gives bit-identical results run to run — in one process (repeated calls)
 * and across processes (a digest computed by a fresh `node` process twice, and here) — for
 * initParams, cellFeeds, interpret (float64 and float32), the compiled executor, gradcheck's random
 * directions, and whole `cellgrad train` runs (checkpoints: parameters, optimizer state, loss curve);
 * different seeds give different values.
 */
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRng } from '@cellgrad/graph';
import { cellgrad, run, tempDir } from '../cli/helpers.js';
import { digestOf } from './determinism-cases.js';

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
const script = path.join('test', 'robustness', 'fixtures', 'digest.ts');

describe('determinism', () => {
  it('the same seed twice in one process: identical bytes; another seed: different values', () => {
    const a = digestOf(11);
    expect(digestOf(11)).toBe(a);
    const b = digestOf(12);
    expect(b).not.toBe(a);
    // Every section depends on the seed.
    const sa = a.split('\n--\n');
    const sb = b.split('\n--\n');
    sa.forEach((s, i) => expect(s).not.toBe(sb[i]));
  });

  it('createRng streams are identical for one seed and differ beyond 32 bits', () => {
    const draw = (seed: number) =>
      Array.from(
        { length: 8 },
        (
          (r) => () =>
            r.next()
        )(createRng(seed)),
      );
    expect(draw(5)).toEqual(draw(5));
    expect(draw(5)).not.toEqual(draw(5 + 2 ** 32));
  });

  it('fresh processes compute the same digest as this one', async () => {
    const [p, q] = await Promise.all([0, 1].map(() => run(['--conditions=@cellgrad/source', '--import', 'tsx', script, '11'])));
    expect(p!.stderr).toBe('');
    expect(p!.code).toBe(0);
    expect(p!.stdout.trim()).toBe(sha(digestOf(11)));
    expect(q!.stdout).toBe(p!.stdout);
  });
});

describe('determinism of training', () => {
  it('two `cellgrad train` processes with one seed write identical checkpoints; another seed does not', async () => {
    const dir = tempDir('cellgrad-det-');
    const train = (seed: number, name: string) =>
      cellgrad([
        'train',
        '--cell',
        'gru',
        '--task',
        'adding',
        '--steps',
        '8',
        '--hidden',
        '6',
        '--batch',
        '8',
        '--iterations',
        '15',
        '--seed',
        String(seed),
        '--checkpoint',
        path.join(dir, name),
        '--json',
      ]);
    const runs = await Promise.all([train(4, 'a.json'), train(4, 'b.json'), train(5, 'c.json')]);
    runs.forEach((r) => expect(r.code).toBe(0));
    const read = (name: string) => {
      const { seconds: _, ...rest } = JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as Record<string, unknown>;
      return rest;
    };
    expect(read('b.json')).toStrictEqual(read('a.json'));
    expect((read('c.json') as { losses: number[] }).losses).not.toStrictEqual((read('a.json') as { losses: number[] }).losses);
    const metrics = (i: number) => {
      const { seconds: _, checkpoint: __, ...m } = JSON.parse(runs[i]!.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
      return m;
    };
    expect(metrics(1)).toStrictEqual(metrics(0));
  });
});
