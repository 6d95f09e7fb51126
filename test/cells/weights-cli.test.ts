// `cellgrad weights`: the 2-layer GRU reference weights go PyTorch → Keras → PyTorch unchanged
// (files on disk), and a file in the wrong layout is refused with the missing tensor named (exit 2).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellgrad, tempDir } from '../cli/helpers.js';
import { referenceDir } from './helpers.js';

describe('cellgrad weights', () => {
  it('converts PyTorch → Keras → PyTorch losslessly, and refuses a wrong layout', async () => {
    const dir = tempDir('cellgrad-weights-');
    const params = JSON.parse(readFileSync(path.join(referenceDir, 'gru_2layer.json'), 'utf8')).cases[0].params;
    const [pt, keras, back] = ['pt.json', 'keras.json', 'back.json'].map((f) => path.join(dir, f)) as [string, string, string];
    writeFileSync(pt, JSON.stringify(params));
    const net = ['--input', '3', '--hidden', '4', '--layers', '2'];
    const a = await cellgrad(['weights', 'gru', pt, '--from', 'pytorch', '--to', 'keras', ...net, '--out', keras]);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('l1/recurrent_kernel [4,12]');
    expect(a.stdout).toContain('l0/bias [2,12]');
    const b = await cellgrad(['weights', 'gru', keras, '--from', 'keras', '--to', 'pytorch', ...net, '--out', back]);
    expect(b.code).toBe(0);
    expect(JSON.parse(readFileSync(back, 'utf8'))).toEqual(params);
    const c = await cellgrad(['weights', 'gru', pt, '--from', 'keras', '--to', 'pytorch', ...net]);
    expect(c.code).toBe(2);
    expect(c.stderr).toBe("cellgrad: fromKeras(cell 'gru'): missing tensor 'l0/kernel' (expected shape [3,12])\n");
  });
});
