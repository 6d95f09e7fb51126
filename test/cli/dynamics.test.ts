// `cellgrad dynamics`: fixed points with their spectra and the Lyapunov spectrum of a briefly trained
// LSTM checkpoint (made here by `cellgrad train`), the report's dynamics section, and the two bad
// inputs (a checkpoint of another cell, sizes that contradict the checkpoint) as one-line errors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { cellgradInProcess as cellgrad } from './in-process.js';

describe('cellgrad dynamics', () => {
  const dir = tempDir();
  const run = path.join(dir, 'run.json');
  beforeAll(async () => {
    const r = await cellgrad(['train', '--cell', 'lstm', '--task', 'adding', '--steps', '10', '--hidden', '4', '--iterations', '3', '--checkpoint', run]);
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);

  it('lstm --checkpoint run.json --json: fixed points with their spectra, and the Lyapunov spectrum', async () => {
    const r = await cellgrad(['dynamics', 'lstm', '--checkpoint', run, '--json', '--starts', '16', '--lyapunov-steps', '200']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.cell).toBe('lstm');
    expect(json.sizes).toEqual({ input: 2, hidden: 4, layers: 1 });
    expect(json.checkpoint).toEqual({ file: run, iteration: 3, task: 'adding' });
    expect(json.input).toEqual([0, 0]);
    const fp = json.fixedPoints;
    expect(fp.stateSize).toBe(8); // (h, c)
    expect(fp.points.length).toBeGreaterThanOrEqual(1);
    for (const p of fp.points) {
      expect(p.q).toBeLessThanOrEqual(1e-6);
      expect(p.eigenvalues).toHaveLength(8);
      expect(p.spectralRadius).toBeCloseTo(Math.hypot(p.eigenvalues[0].re, p.eigenvalues[0].im), 12);
      expect(p.states.h[0]).toHaveLength(4);
      expect(p.states.c[0]).toHaveLength(4);
    }
    const ly = json.lyapunov;
    expect(ly.exponents).toHaveLength(8);
    expect([...ly.exponents].sort((a: number, b: number) => b - a)).toEqual(ly.exponents);
    // A trajectory that settles at a stable fixed point has the exponents log|λ| of that point.
    const stable = fp.points.filter((p: { stable: boolean; kind: string }) => p.stable && p.kind === 'fixed');
    if (fp.points.length === 1 && stable.length === 1) expect(ly.exponents[0]).toBeCloseTo(Math.log(stable[0].spectralRadius), 2);
  });

  it('prints a table; the checkpoint alone names the cell; --report writes the dynamics section', async () => {
    const html = path.join(dir, 'dyn.html');
    const r = await cellgrad(['dynamics', run, '--x', '0.5,1', '--starts', '8', '--lyapunov-steps', '100', '--report', html]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^dynamics lstm: input 2, hidden 4, layers 1 \(checkpoint .*run\.json, iteration 3\)\n/);
    expect(r.stdout).toMatch(/state s = \(h, c\), n = 8; x\* = \[0\.5000, 1\.0000\]/);
    expect(r.stdout).toMatch(/\n {2}1\s+fixed\s+\S+\s+\S+\s+(yes|no)\s+\d+\s+\S/);
    expect(r.stdout).toMatch(/Lyapunov spectrum \(k = 8, 90 steps at x\* after 10 warm-up, per step\): /);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('<section id="dynamics">');
    expect(page).toMatch(/class="eigen-plane"[\s\S]*class="unit-circle"/);
    expect(page).toContain('class="lyapunov"');
    expect((page.match(/<rect /g) ?? []).length).toBe(8);
  });

  it('a checkpoint of another cell is one clear error (exit 2)', async () => {
    const r = await cellgrad(['dynamics', 'gru', '--checkpoint', run]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([`cellgrad: checkpoint ${run} was trained with cell 'lstm', not 'gru'`]);
  });

  it('sizes that do not match the checkpoint are one clear error (exit 2)', async () => {
    const r = await cellgrad(['dynamics', 'lstm', '--checkpoint', run, '--hidden', '8']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual([`cellgrad: --hidden 8 does not match checkpoint ${run}, which has hidden 4 (leave --hidden out)`]);
    const x = await cellgrad(['dynamics', 'lstm', '--checkpoint', run, '--x', '1,2,3']);
    expect(x.code).toBe(2);
    expect(x.stderr).toMatch(/--x has 3 values, but lstm takes inputs of size 2/);
  });

  it('without a checkpoint: the seeded initialisation at the given sizes', async () => {
    const r = await cellgrad(['dynamics', 'gru', '--input', '2', '--hidden', '3', '--starts', '8', '--lyapunov-steps', '50', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.sizes).toEqual({ input: 2, hidden: 3, layers: 1 });
    expect(json.fixedPoints.stateSize).toBe(3);
    expect(json.checkpoint).toBeUndefined();
  });
});
