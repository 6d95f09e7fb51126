/**
 * `cellgrad train` and `cellgrad flow` through the real command: --json prints the metrics on the
 * last line; a run stopped (by --iterations, and by a real SIGINT) and resumed has exactly the loss
 * curve of an uninterrupted run with the same seed; checkpoints are complete JSON; bad options and
 * bad files give one line and exit code 2.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReportData } from '@cellgrad/viz';
import { cellgrad, repoRoot, tempDir } from '../cli/helpers.js';
import { cellgradInProcess } from '../cli/in-process.js';

/** Run `cellgrad` in this process (fast), capturing its output. */
const inProcess = cellgradInProcess;

const SMALL = ['--cell', 'gru', '--task', 'adding', '--steps', '12', '--hidden', '6', '--batch', '4', '--seed', '3', '--lr', '0.05'];
const curve = (file: string): number[] => JSON.parse(readFileSync(file, 'utf8')).losses;

describe('cellgrad train', () => {
  it('--json: the final metrics on the last line; stop and --resume give the uninterrupted curve', async () => {
    const dir = tempDir('cellgrad-train-');
    const whole = path.join(dir, 'whole.json');
    const part = path.join(dir, 'part.json');
    const a = await inProcess(['train', ...SMALL, '--iterations', '12', '--checkpoint', whole, '--json']);
    const b = await inProcess(['train', ...SMALL, '--iterations', '5', '--checkpoint', part, '--optimizer', 'adam']);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const lines = a.stdout.trim().split('\n');
    const metrics = JSON.parse(lines[lines.length - 1]!);
    expect(metrics).toMatchObject({ cell: 'gru', task: 'adding', iterations: 12, interrupted: false, checkpoint: whole });
    expect(metrics.loss).toBe(curve(whole)[11]);
    expect(metrics.seconds).toBeGreaterThan(0);
    expect(metrics.heldOut).toBeGreaterThan(0);
    expect(a.stderr).toMatch(/iteration 12\/12 {2}loss [\d.e-]+ {2}[\d.]+ it\/s/);
    expect(curve(part)).toHaveLength(5);
    const resumed = await inProcess(['train', ...SMALL, '--iterations', '12', '--checkpoint', part, '--resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(curve(part)).toEqual(curve(whole));
    expect(JSON.parse(readFileSync(part, 'utf8')).params).toEqual(JSON.parse(readFileSync(whole, 'utf8')).params);
    // Resuming with other settings is refused.
    const other = await inProcess(['train', ...SMALL, '--hidden', '7', '--iterations', '14', '--checkpoint', part, '--resume']);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/^cellgrad: checkpoint .+\.json was written by a run with different settings/);
  });

  it('Ctrl-C (SIGINT) writes a checkpoint and exits 130; --resume then matches the uninterrupted run', async () => {
    const dir = tempDir('cellgrad-sigint-');
    const ck = path.join(dir, 'ck.json');
    const whole = path.join(dir, 'whole.json');
    const N = 400;
    const args = [...SMALL, '--iterations', String(N), '--log-every', '1', '--executor', 'interpreted'];
    const child = spawn(
      process.execPath,
      ['--conditions=@cellgrad/source', '--import', 'tsx', 'packages/cli/src/bin.ts', 'train', ...args, '--checkpoint', ck],
      {
        cwd: repoRoot,
      },
    );
    let stderr = '';
    const code = await new Promise<number | null>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/iteration 3\//.test(stderr) && !child.killed) child.kill('SIGINT');
      });
      child.on('exit', (c) => resolve(c));
    });
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/interrupted at iteration \d+; checkpoint written to/);
    const stopped = curve(ck).length;
    expect(stopped).toBeGreaterThanOrEqual(3);
    expect(stopped).toBeLessThan(N);
    const target = stopped + 3;
    const [resumed, full] = await Promise.all([
      cellgrad(['train', ...args, '--iterations', String(target), '--checkpoint', ck, '--resume']),
      cellgrad(['train', ...args, '--iterations', String(target), '--checkpoint', whole]),
    ]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(full.code, full.stderr).toBe(0);
    expect(curve(ck)).toEqual(curve(whole));
  });

  it('--bptt checkpoint trains exactly like full BPTT and reports the memory saved', async () => {
    const dir = tempDir('cellgrad-ckpt-');
    const args = [...SMALL, '--iterations', '4', '--executor', 'interpreted', '--json'];
    const full = await inProcess(['train', ...args, '--checkpoint', path.join(dir, 'full.json')]);
    const cp = await inProcess(['train', ...args, '--bptt', 'checkpoint:3', '--checkpoint', path.join(dir, 'cp.json')]);
    expect(full.code, full.stderr).toBe(0);
    expect(cp.code, cp.stderr).toBe(0);
    expect(curve(path.join(dir, 'cp.json'))).toEqual(curve(path.join(dir, 'full.json')));
    const metrics = JSON.parse(cp.stdout.trim().split('\n').pop()!);
    expect(metrics.memory).toMatchObject({ strategy: 'checkpoint(every 3)', windows: 4 });
    expect(metrics.memory.stored.bytes).toBeLessThan(metrics.memory.full.bytes);
    expect(JSON.parse(full.stdout.trim().split('\n').pop()!).memory).toBeUndefined();
    const tr = await inProcess(['train', ...SMALL, '--iterations', '2', '--bptt', 'truncated:4:per-window', '--json']);
    expect(tr.code, tr.stderr).toBe(0);
    expect(JSON.parse(tr.stdout.trim().split('\n').pop()!).memory.strategy).toBe('truncated(k=4, per window)');
  });

  it('--bptt rtrl trains like full BPTT (float64); rtrl:K and --rtrl-every K update every K steps; snap1 reports its influence entries', async () => {
    const dir = tempDir('cellgrad-rtrl-');
    const args = [...SMALL, '--steps', '6', '--hidden', '3', '--iterations', '3', '--executor', 'interpreted', '--json'];
    const full = await inProcess(['train', ...args, '--checkpoint', path.join(dir, 'full.json')]);
    const rtrl = await inProcess(['train', ...args, '--bptt', 'rtrl', '--checkpoint', path.join(dir, 'rtrl.json')]);
    expect(full.code, full.stderr).toBe(0);
    expect(rtrl.code, rtrl.stderr).toBe(0);
    const [a, b] = [curve(path.join(dir, 'full.json')), curve(path.join(dir, 'rtrl.json'))];
    b.forEach((l, i) => expect(l).toBeCloseTo(a[i]!, 5));
    const m = JSON.parse(rtrl.stdout.trim().split('\n').pop()!).memory;
    expect(m).toMatchObject({ strategy: 'exact RTRL', windows: 1, influence: { rows: 3, cols: 3 * 3 * (2 + 3 + 2) } });
    const every = await inProcess(['train', ...args, '--bptt', 'rtrl', '--rtrl-every', '2', '--checkpoint', path.join(dir, 'every.json')]);
    const colon = await inProcess(['train', ...args, '--bptt', 'rtrl:2', '--checkpoint', path.join(dir, 'colon.json')]);
    expect(every.code, every.stderr).toBe(0);
    expect(colon.code, colon.stderr).toBe(0);
    expect(JSON.parse(every.stdout.trim().split('\n').pop()!).memory).toMatchObject({ strategy: 'exact RTRL (update every 2)', windows: 3 });
    expect(JSON.parse(readFileSync(path.join(dir, 'every.json'), 'utf8')).optimizer.step).toBe(9);
    expect(curve(path.join(dir, 'colon.json'))).toEqual(curve(path.join(dir, 'every.json')));
    const snap = await inProcess(['train', ...SMALL, '--steps', '6', '--iterations', '1', '--bptt', 'snap1']);
    expect(snap.code, snap.stderr).toBe(0);
    expect(snap.stdout).toMatch(/SnAp-1: 1 update per sequence; influence matrices 6×180 \(180 entries each\)/);
    const uoro = await inProcess(['train', ...SMALL, '--steps', '6', '--iterations', '2', '--bptt', 'uoro:3', '--json']);
    expect(uoro.code, uoro.stderr).toBe(0);
    expect(JSON.parse(uoro.stdout.trim().split('\n').pop()!).memory).toMatchObject({
      strategy: 'UORO (update every 3)',
      windows: 2,
      influence: { entries: 186 },
    });
  });

  it('--threads 2 trains exactly like one thread (matrix products split over a worker)', async () => {
    const dir = tempDir('cellgrad-threads-');
    const args = ['--cell', 'gru', '--task', 'adding', '--steps', '12', '--hidden', '128', '--batch', '32', '--seed', '5', '--iterations', '3', '--json'];
    const one = await inProcess(['train', ...args, '--checkpoint', path.join(dir, 'one.json')]);
    const two = await inProcess(['train', ...args, '--threads', '2', '--checkpoint', path.join(dir, 'two.json')]);
    expect(one.code, one.stderr).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(curve(path.join(dir, 'two.json'))).toEqual(curve(path.join(dir, 'one.json')));
    expect(JSON.parse(readFileSync(path.join(dir, 'two.json'), 'utf8')).params).toEqual(JSON.parse(readFileSync(path.join(dir, 'one.json'), 'utf8')).params);
  });

  it('--report-data writes the loss curve and gradient flow as valid report data', async () => {
    const file = path.join(tempDir('cellgrad-report-'), 'data.json');
    const r = await inProcess(['train', ...SMALL, '--iterations', '4', '--report-data', file]);
    expect(r.code, r.stderr).toBe(0);
    const data = checkReportData(JSON.parse(readFileSync(file, 'utf8')));
    expect(data.lossCurves![0]!.points.map((p) => p[0])).toEqual([1, 2, 3, 4]);
    expect(data.flow![0]!.norms).toHaveLength(12);
  });

  it('bad options and bad files: one line, exit 2', async () => {
    const dir = tempDir('cellgrad-bad-');
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{"format": "cellgrad-train", "version": 1, "iter');
    const cases: [string[], RegExp][] = [
      [['train', '--cell', 'lstm', '--bptt', 'truncated:0'], /--bptt <spec>.*truncation length must be a positive/],
      [['train', '--cell', 'lstm', '--task', 'sorting'], /unknown task "sorting"/],
      [['train', '--cell', 'lstm', '--optimizer', 'lbfgs'], /--optimizer <name>.*expected one of adam, sgd, rmsprop/],
      [['train', '--cell', path.join(dir, 'missing.ts')], /missing\.ts/],
      [['train', '--cell', 'lstm', '--resume'], /--resume needs --checkpoint/],
      [['train', '--cell', 'lstm', '--resume', '--checkpoint', broken], /checkpoint .*broken\.json is not valid JSON/],
      [['train', '--task', 'adding'], /required option '--cell <cell>'/],
      [['train', '--cell', 'lstm', '--threads', '2', '--executor', 'interpreted'], /--threads applies to --executor compiled/],
      [['train', '--cell', 'lstm', '--threads', '0'], /--threads <n>/],
      [['train', '--cell', 'lstm', '--bptt', 'sgdr'], /--bptt <spec>.*expected full, .*rtrl, rtrl:K, snap1, snap1:K, uoro or uoro:K/],
      [['train', '--cell', 'lstm', '--rtrl-every', '5'], /--rtrl-every applies to --bptt rtrl, snap1 or uoro/],
      [['train', '--cell', 'lstm', '--bptt', 'rtrl', '--bidirectional'], /--bidirectional needs --bptt full: rtrl runs the sequence step by step forward/],
      [['train', '--cell', 'lstm', '--bptt', 'snap1', '--graves', '1'], /SnAp-1 \(bptt 'snap1'\) has no backward pass through time/],
      [['flow', '--cell', 'lstm', '--steps', '5', '--points', '9'], /step 9 is outside the sequence/],
    ];
    const runs = [];
    for (const [args] of cases) runs.push(await inProcess(args));
    runs.forEach((r, i) => {
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(cases[i]![1]);
    });
    expect(existsSync(path.join(dir, 'missing.ts'))).toBe(false);
  });
});

describe('cellgrad flow', () => {
  it('prints the table and --json data; a tanh RNN decays towards t = 0', async () => {
    const args = ['flow', '--cell', 'rnn_tanh', '--steps', '20', '--hidden', '6', '--batch', '2', '--points', '0,10,19'];
    const text = await inProcess(args);
    const json = await inProcess([...args, '--json']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/gradient flow of rnn_tanh over 20 steps/);
    const report = JSON.parse(json.stdout.trim().split('\n').pop()!);
    expect(report.stateGradNorms).toHaveLength(20);
    expect(report.jacobianNorms.map((p: { step: number }) => p.step)).toEqual([0, 10, 19]);
    expect(report.jacobianNorms[2].norm).toBeCloseTo(1, 8);
    expect(report.jacobianNorms[0].norm).toBeLessThan(report.jacobianNorms[1].norm);
  });

  it('--checkpoint measures the trained parameters (and refuses a checkpoint of other sizes)', async () => {
    const dir = tempDir('cellgrad-flow-');
    const ck = path.join(dir, 'ck.json');
    const sizes = ['--cell', 'gru', '--steps', '10', '--hidden', '5', '--batch', '2'];
    expect((await inProcess(['train', ...sizes, '--iterations', '3', '--lr', '0.5', '--checkpoint', ck])).code).toBe(0);
    const init = JSON.parse((await inProcess(['flow', ...sizes, '--points', '0', '--json'])).stdout);
    const trained = JSON.parse((await inProcess(['flow', ...sizes, '--points', '0', '--json', '--checkpoint', ck])).stdout);
    expect(trained.loss).not.toBe(init.loss);
    const wrong = await inProcess(['flow', ...sizes, '--hidden', '6', '--checkpoint', ck]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/does not fit gru with hidden 6 on adding \(parameter 'weight_ih'\)/);
  });
});
