/**
 * Training never loses more than the last checkpoint interval: a real `cellgrad train` process is
 * SIGKILLed twice mid-run, each time resumed with `--resume`, and ends with exactly the final
 * result (metrics, parameters, optimizer state, whole loss curve) of an uninterrupted run with the
 * same seed. After each kill the checkpoint on disk is complete and at most one interval behind the
 * last iteration the process reported; the resumed runs take over the killed run's lock and remove
 * its temporaries. A corrupted checkpoint is refused with one line, exit 2.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellgrad, repoRoot, tempDir } from '../cli/helpers.js';

const EVERY = 10;
const TOTAL = 120;
const args = (ckpt: string, resume = false): string[] => [
  'train',
  '--cell',
  'lstm',
  '--task',
  'adding',
  '--steps',
  '12',
  '--hidden',
  '8',
  '--batch',
  '8',
  '--seed',
  '7',
  '--iterations',
  String(TOTAL),
  '--checkpoint',
  ckpt,
  '--checkpoint-every',
  String(EVERY),
  '--log-every',
  '1',
  '--json',
  ...(resume ? ['--resume'] : []),
];

interface Snapshot {
  iteration: number;
  params: Record<string, number[]>;
  optimizer: unknown;
  losses: number[];
  fingerprint: string;
}
const readCheckpoint = (file: string): Snapshot => JSON.parse(readFileSync(file, 'utf8')) as Snapshot;

/** The last "iteration k/N" the process printed on stderr. */
const lastReported = (stderr: string): number => Math.max(0, ...[...stderr.matchAll(/iteration (\d+)\//g)].map((m) => Number(m[1])));

/** Start a training run and SIGKILL it once its checkpoint reaches `atLeast` iterations. */
function killAt(ckpt: string, resume: boolean, atLeast: number): Promise<{ signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@cellgrad/source', '--import', 'tsx', 'packages/cli/src/bin.ts', ...args(ckpt, resume)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const poll = setInterval(() => {
      if (!existsSync(ckpt)) return;
      let it = -1;
      try {
        it = readCheckpoint(ckpt).iteration; // always complete: written to a temp file and renamed
      } catch (e) {
        clearInterval(poll);
        reject(new Error(`checkpoint unreadable while training: ${(e as Error).message}`));
      }
      if (it >= atLeast) {
        clearInterval(poll);
        child.kill('SIGKILL');
      }
    }, 5);
    child.on('exit', (_code, signal) => {
      clearInterval(poll);
      resolve({ signal, stderr });
    });
  });
}

describe('kill -9 and --resume', () => {
  it('two SIGKILLs, two resumes: the same final result as an uninterrupted run', async () => {
    const dir = tempDir('cellgrad-resume-');
    const straight = path.join(dir, 'straight.json');
    const killed = path.join(dir, 'killed.json');
    const reference = cellgrad(args(straight)); // runs in parallel with the interrupted sequence

    for (const [resume, atLeast] of [
      [false, 30],
      [true, 70],
    ] as const) {
      const { signal, stderr } = await killAt(killed, resume, atLeast);
      expect(signal).toBe('SIGKILL');
      const saved = readCheckpoint(killed);
      expect(saved.iteration).toBeLessThan(TOTAL); // killed mid-run, not after the end
      expect(saved.iteration % EVERY).toBe(0);
      // Work lost is at most the last checkpoint interval.
      expect(lastReported(stderr) - saved.iteration).toBeLessThanOrEqual(EVERY);
      expect(saved.losses).toHaveLength(saved.iteration);
    }
    const resumed = await cellgrad(args(killed, true));
    const done = await reference;
    expect(done.code).toBe(0);
    expect(resumed.code).toBe(0);
    const a = JSON.parse(done.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    const b = JSON.parse(resumed.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    for (const k of ['iterations', 'loss', 'heldOut', 'interrupted']) expect(b[k]).toStrictEqual(a[k]);
    expect(a.iterations).toBe(TOTAL);
    const x = readCheckpoint(straight);
    const y = readCheckpoint(killed);
    expect(y.iteration).toBe(TOTAL);
    expect(y.losses).toStrictEqual(x.losses);
    expect(y.params).toStrictEqual(x.params);
    expect(y.optimizer).toStrictEqual(x.optimizer);
    expect(y.fingerprint).toBe(x.fingerprint);
    // The killed runs' lock file (and any temporary cut off mid-write) were taken over and removed.
    expect(readdirSync(dir).sort()).toStrictEqual(['killed.json', 'straight.json']);
  }, 180_000); // four training processes: generous under a loaded CI machine

  it('a truncated or tampered checkpoint is refused with one line and exit 2', async () => {
    const dir = tempDir('cellgrad-resume-');
    const ckpt = path.join(dir, 'c.json');
    const full = await cellgrad([
      'train',
      '--cell',
      'rnn_tanh',
      '--task',
      'adding',
      '--steps',
      '5',
      '--hidden',
      '4',
      '--batch',
      '4',
      '--iterations',
      '3',
      '--checkpoint',
      ckpt,
      '--json',
    ]);
    expect(full.code).toBe(0);
    const text = readFileSync(ckpt, 'utf8');
    const cases: [string, string, RegExp][] = [
      ['truncated', text.slice(0, Math.floor(text.length / 2)), /is not valid JSON \(truncated or corrupted\)/],
      [
        'a parameter of the wrong size',
        text.replace(/"params":\{"([^"]+)":\[/, '"params":{"$1":[0.5,'),
        /: parameter '.+' has \d+ values, expected \d+ \(shape \[[\d,]+\]\)$/,
      ],
      [
        'a NaN written as null',
        text.replace(/"params":\{"([^"]+)":\[/, '"params":{"$1":[null,'),
        /: parameter '.+' holds null at index 0, expected a finite number \(NaN and ±Infinity are saved as null\)$/,
      ],
    ];
    const runs = await Promise.all(
      cases.map(([, bad], i) => {
        const file = path.join(dir, `bad-${i}.json`);
        writeFileSync(file, bad);
        return cellgrad([
          'train',
          '--cell',
          'rnn_tanh',
          '--task',
          'adding',
          '--steps',
          '5',
          '--hidden',
          '4',
          '--batch',
          '4',
          '--iterations',
          '6',
          '--checkpoint',
          file,
          '--resume',
        ]);
      }),
    );
    for (const [i, [, , message]] of cases.entries()) {
      const r = runs[i]!;
      expect(r.code).toBe(2);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('cellgrad: '));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
