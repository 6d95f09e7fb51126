/**
 * `cellgrad profile`: a built-in cell's training step and a file cell's forward pass are timed on
 * the compiled executor; --json gives the figures (nodes, build/compile times, median, runs) and a
 * profile whose shares add up to one and whose step counts match the unrolled graph (one forward
 * recurrent product per step); the text form prints the table; bad options exit 2 with one line.
 */
import { describe, expect, it } from 'vitest';
import { cellgrad } from './helpers.js';

const SIZES = ['--steps', '6', '--hidden', '8', '--batch', '4', '--input', '3', '--seconds', '0.1'];

describe('cellgrad profile', () => {
  it('times an LSTM training step and shows where the time goes', async () => {
    const r = await cellgrad(['profile', 'lstm', ...SIZES, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p).toMatchObject({ cell: 'lstm', mode: 'train', threads: 1, sizes: { steps: 6, hidden: 8, batch: 4, input: 3, layers: 1 } });
    expect(p.nodes).toBeGreaterThan(100);
    expect(p.medianMs).toBeGreaterThan(0);
    expect(p.runs).toBeGreaterThanOrEqual(3);
    const shares = p.profile.reduce((a: number, e: { share: number }) => a + e.share, 0);
    expect(shares).toBeCloseTo(1, 6);
    // one recurrent product per step forward (h·W_hhᵀ, 4×8 · 8×32), one per step but the first backward
    expect(p.profile.find((e: { label: string }) => e.label === 'matmul 4×8 · 8×32')?.steps).toBe(6);
  });

  it('--threads 2 splits the big steps over two threads and marks them in the profile', async () => {
    const r = await cellgrad(['profile', 'lstm', '--steps', '2', '--hidden', '256', '--batch', '32', '--input', '16', '--seconds', '0.1', '--threads', '2']);
    expect(r.code, r.stderr).toBe(0);
    const split = /float32, 2 threads \((\d+) steps split\)/.exec(r.stdout);
    expect(split, r.stdout).not.toBeNull();
    expect(Number(split![1])).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/fused loop 32×256, \d+ ops \(wasm simd\) · 2 threads/);
  });

  it('--compare-scan times a linear cell as scans and step by step, and prints the speed-up', async () => {
    const r = await cellgrad(['profile', 'mingru', ...SIZES, '--compare-scan', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.scans).toBe(true);
    expect(p.profile.some((e: { label: string }) => e.label.startsWith('linear_scan 6×4×8'))).toBe(true);
    expect(p.stepByStep.scans).toBe(false);
    expect(p.stepByStep.nodes).toBeGreaterThan(p.nodes);
    expect(p.scanSpeedup).toBeCloseTo(p.stepByStep.medianMs / p.medianMs, 10);
    const text = await cellgrad(['profile', 'mingru', ...SIZES, '--compare-scan', '--top', '2']);
    expect(text.stdout).toMatch(
      /recurrence as linear scans\n[\s\S]*; step by step\n[\s\S]*\nmingru: scans [\d.]+ ms vs step by step [\d.]+ ms per training step: [\d.]+× faster\n$/,
    );
  });

  it('profiles the forward pass of a cell from a file, as a table', async () => {
    const r = await cellgrad(['profile', 'examples/cells/minimal-gated-unit.ts', ...SIZES, '--forward', '--top', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^mgu: forward pass; input 3, hidden 8, batch 4, steps 6, layers 1; float32, 1 thread; step by step\n/);
    expect(r.stdout).toMatch(/median [\d.]+ ms per step over \d+ runs/);
    expect(r.stdout).toMatch(/share\s+ms\s+steps\s+what\n/);
    expect(r.stdout.split('\n').filter((l) => /^\d+\.\d%/.test(l))).toHaveLength(3);
  });

  it('refuses bad options with one line and exit code 2', async () => {
    for (const [args, message] of [
      [['profile', 'lstm', '--threads', '0'], /--threads <n>.*positive integer/],
      [['profile', 'nosuchcell'], /unknown cell 'nosuchcell'/],
      [['profile', 'lstm', '--seconds', '-1'], /--seconds <s>/],
    ] as const) {
      const r = await cellgrad([...args]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
  });
});
