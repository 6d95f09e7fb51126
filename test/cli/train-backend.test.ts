// `cellgrad train --backend onnxruntime|auto`: the training step on ONNX Runtime through the CLI,
// the same losses as the own executor (float32 rounding apart), checkpoints that resume on the other
// backend, and the flags it cannot combine with as one-line usage errors.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers.js';
import { cellgradInProcess } from './in-process.js';

const SMALL = ['--cell', 'lstm', '--task', 'adding', '--steps', '10', '--hidden', '6', '--batch', '4', '--seed', '2', '--lr', '0.03'];
const curve = (file: string): number[] => JSON.parse(readFileSync(file, 'utf8')).losses;
const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!);

function expectClose(got: readonly number[], want: readonly number[]): void {
  expect(got.length).toBe(want.length);
  got.forEach((g, i) => expect(Math.abs(g - want[i]!) / Math.max(1, Math.abs(want[i]!)), `iteration ${i + 1}`).toBeLessThan(1e-5));
}

describe('cellgrad train --backend', () => {
  it('onnxruntime: 20 iterations with the losses of the own executor; a checkpoint of the own executor resumes on it', async () => {
    const dir = tempDir('cellgrad-train-ort-');
    const ort = path.join(dir, 'ort.json');
    const own = path.join(dir, 'own.json');
    const a = await cellgradInProcess(['train', ...SMALL, '--backend', 'onnxruntime', '--iterations', '20', '--checkpoint', ort, '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect(lastJson(a.stdout)).toMatchObject({ backend: 'onnxruntime', iterations: 20, interrupted: false });
    const b = await cellgradInProcess(['train', ...SMALL, '--iterations', '10', '--checkpoint', own]);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stdout).not.toMatch(/backend:/);
    const resumed = await cellgradInProcess(['train', ...SMALL, '--backend', 'onnxruntime', '--iterations', '20', '--checkpoint', own, '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/^backend: onnxruntime$/m);
    expectClose(curve(own), curve(ort));
  });

  it('auto: trains and reports the backend it chose with the measured times', async () => {
    const r = await cellgradInProcess(['train', ...SMALL, '--backend', 'auto', '--iterations', '3', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const m = lastJson(r.stdout);
    expect(['cellgrad', 'onnxruntime']).toContain(m.backend);
    expect(Object.keys(m.backendMsPerRun).sort()).toEqual(['cellgrad', 'onnxruntime']);
  });

  it.each([
    [['--executor', 'interpreted'], '--backend onnxruntime runs compiled graphs; --executor interpreted needs --backend cellgrad'],
    [['--check-finite'], '--check-finite needs --backend cellgrad'],
    [['--bptt', 'rtrl'], '--bptt rtrl runs on --backend cellgrad only; --backend onnxruntime trains with --bptt full, truncated or checkpoint'],
  ])('%j with --backend onnxruntime is a usage error', async (extra, message) => {
    const r = await cellgradInProcess(['train', ...SMALL, '--backend', 'onnxruntime', '--iterations', '2', ...extra]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });
});
