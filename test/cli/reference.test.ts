// `cellgrad reference`: the PyTorch LSTM vectors pass (exit 0); a corrupted copy fails (exit 1)
// and the table marks the corrupted tensor.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellgrad, referenceDir, tempDir } from './helpers.js';

const lstmFile = path.join(referenceDir, 'lstm.json');

describe('cellgrad reference', () => {
  it('passes on lstm.json and prints one row per tensor', async () => {
    const r = await cellgrad(['reference', lstmFile]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/tensor\s+shape\s+max rel err\s+result/);
    for (const t of ['out', 'h_T', 'c_T', 'loss', 'grad:x', 'grad:h0', 'grad:c0', 'grad:weight_ih_l0', 'grad:bias_hh_l0']) {
      expect(r.stdout).toMatch(new RegExp(`\\n${t}\\s+\\[[0-9,]*\\]\\s+\\S+\\s+pass\\n`));
    }
    expect(r.stdout).toMatch(/PASSED: 11 tensors within 1e-9/);
  });

  it('fails with exit 1 on a corrupted copy', async () => {
    const json = JSON.parse(readFileSync(lstmFile, 'utf8'));
    json.cases[0].expected.grads.weight_hh_l0.data[5] += 1e-3;
    const file = path.join(tempDir(), 'lstm-corrupted.json');
    writeFileSync(file, JSON.stringify(json));
    const r = await cellgrad(['reference', file, '--tolerance', '1e-9']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\ngrad:weight_hh_l0\s+\[16,4\]\s+\S+\s+FAIL\n/);
    expect(r.stdout).toMatch(/\ngrad:weight_ih_l0\s+\[16,3\]\s+\S+\s+pass\n/);
    expect(r.stdout).toMatch(/FAILED: 1 of 11 tensors above 1e-9/);
  });
});
