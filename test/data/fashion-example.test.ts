/**
 * `pnpm fashion` (examples/fashion.ts) end to end on a slice: it trains, evaluates on the sliced
 * test split after each epoch and writes results.json with the figures the issue asks for.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, it } from 'vitest';
import { run, tempDir } from '../cli/helpers.js';
import { describeWithData } from '../support/real-data.js';

describeWithData('pnpm fashion', () => {
  it('writes testAccuracy, seconds, model and command (and the per-epoch history) to results.json', async () => {
    const out = tempDir('cellgrad-fashion-out-');
    const args = ['--train-limit', '256', '--test-limit', '100', '--epochs', '2', '--hidden', '8', '--batch', '64', '--threads', '1', '--out', out];
    const r = await run(['--conditions=@cellgrad/source', '--import', 'tsx', 'examples/fashion.ts', ...args]);
    expect(r.code, r.stderr).toBe(0);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8'));
    expect(results.command).toBe(`pnpm fashion ${args.join(' ')}`);
    expect(results.model).toMatch(/^lstm \(1 layer, hidden 8\) row by row/);
    expect(results).toMatchObject({ epochsRun: 2, testImages: 100, trainImages: 256 });
    expect(results.epochs).toHaveLength(2);
    expect(results.testAccuracy).toBe(results.epochs[1].testAccuracy);
    expect(results.testAccuracy * 100).toBeCloseTo(Math.round(results.testAccuracy * 100), 9);
    expect(results.seconds).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/epoch 2: training loss [\d.]+, test loss [\d.]+, test accuracy [\d.]+% \(100 images\)/);
    const bad = await run(['--conditions=@cellgrad/source', '--import', 'tsx', 'examples/fashion.ts', '--hidden', 'x']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--hidden must be a positive integer/);
  });
});
