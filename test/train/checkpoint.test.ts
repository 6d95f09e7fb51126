/**
 * Checkpoint files: atomic writes leave no temporary files and replace the old content whole;
 * reading validates the format and names what is wrong; a trainer restored from a snapshot
 * continues exactly as the original (same losses, same parameters).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Trainer, addingTask, getBuiltinCell, type TrainConfig } from '@cellgrad/cells';
import { loadCheckpoint, saveCheckpoint, writeFileAtomic } from '@cellgrad/cells/node';
import { tempDir } from '../cli/helpers.js';

const config: TrainConfig = {
  cell: getBuiltinCell('lstm'),
  task: addingTask(8),
  hidden: 4,
  batch: 3,
  seed: 9,
  optimizer: { kind: 'adam' },
  lr: 0.05,
  clip: { kind: 'global-norm', maxNorm: 1 },
  exec: { executor: 'interpreted' },
};

describe('checkpoint files', () => {
  it('atomic write: the target replaced whole, no temporary file left', () => {
    const dir = tempDir('cellgrad-atomic-');
    const file = path.join(dir, 'a.json');
    writeFileAtomic(file, 'old');
    writeFileAtomic(file, 'new content');
    expect(readFileSync(file, 'utf8')).toBe('new content');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  it('a restored trainer continues exactly like the original', () => {
    const dir = tempDir('cellgrad-restore-');
    const file = path.join(dir, 'ck.json');
    const a = new Trainer(config);
    for (let i = 0; i < 3; i++) a.step();
    saveCheckpoint(file, a.save());
    const b = Trainer.restore(config, loadCheckpoint(file));
    expect(b.iteration).toBe(3);
    for (let i = 0; i < 3; i++) expect(b.step().loss).toBe(a.step().loss);
    expect(b.losses).toEqual(a.losses);
    for (const [p, v] of Object.entries(a.params)) expect(Array.from(b.params[p]!)).toEqual(Array.from(v));
    expect(() => Trainer.restore({ ...config, seed: 10 }, a.save())).toThrow(/different settings/);
  });

  it('reading names what is wrong', () => {
    const dir = tempDir('cellgrad-bad-ck-');
    const write = (name: string, text: string) => {
      const f = path.join(dir, name);
      writeFileSync(f, text);
      return f;
    };
    const good = new Trainer(config).save();
    expect(() => loadCheckpoint(path.join(dir, 'none.json'))).toThrow(/cannot read checkpoint .*none\.json: no such file/);
    expect(() => loadCheckpoint(write('t.json', '{"format":'))).toThrow(/not valid JSON/);
    expect(() => loadCheckpoint(write('f.json', JSON.stringify({ ...good, format: 'other' })))).toThrow(/not a cellgrad training checkpoint/);
    expect(() => loadCheckpoint(write('v.json', JSON.stringify({ ...good, version: 2 })))).toThrow(/unsupported version 2/);
    expect(() => loadCheckpoint(write('p.json', JSON.stringify({ ...good, params: { w: ['x'] } })))).toThrow(
      /parameter 'w' holds "x" at index 0, expected a finite number/,
    );
    expect(() => loadCheckpoint(write('l.json', JSON.stringify({ ...good, iteration: 2 })))).toThrow(/one loss per iteration/);
    expect(loadCheckpoint(write('ok.json', JSON.stringify(good))).fingerprint).toBe(good.fingerprint);
  });
});
