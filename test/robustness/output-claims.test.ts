/**
 * What `cellgrad` may overwrite, through the real command: a second trainer on a checkpoint another
 * trainer is using fails naming the holder's pid (exit 2) while the first's checkpoint stays valid
 * and never goes backwards; `--checkpoint X` over an existing file is refused unless `--resume` or
 * `--force`; outputs that are the same file (by any spelling) or that are an input are refused; the
 * temporaries and lock files of killed processes are cleaned up by the next run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellgrad, repoRoot, tempDir, type CliRun } from '../cli/helpers.js';

const SMALL = ['--cell', 'rnn_tanh', '--task', 'adding', '--steps', '5', '--hidden', '4', '--batch', '4'];

function errorLine(r: CliRun): string {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('cellgrad: '));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

const iterationOf = (file: string): number => (JSON.parse(readFileSync(file, 'utf8')) as { iteration: number }).iteration;

describe('one trainer per checkpoint', () => {
  it("a second trainer fails naming the first one's pid; the first's checkpoint stays valid and never goes backwards", async () => {
    const dir = tempDir('cellgrad-claims-');
    const ckpt = path.join(dir, 'run.json');
    const first = spawn(
      process.execPath,
      [
        '--conditions=@cellgrad/source',
        '--import',
        'tsx',
        'packages/cli/src/bin.ts',
        'train',
        ...SMALL,
        '--iterations',
        '1000000',
        '--checkpoint',
        ckpt,
        '--checkpoint-every',
        '5',
        '--log-every',
        '1000',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<number | null>((resolve) => first.on('exit', (code) => resolve(code)));
    let stderr = '';
    first.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const seen: number[] = [];
    let unreadable = '';
    const poll = setInterval(() => {
      if (!existsSync(ckpt)) return;
      try {
        seen.push(iterationOf(ckpt));
      } catch (e) {
        unreadable = (e as Error).message;
      }
    }, 10);
    try {
      while (seen.length === 0) await new Promise((r) => setTimeout(r, 20)); // the first run is training
      const [resume, force, fresh] = await Promise.all([
        cellgrad(['train', ...SMALL, '--iterations', '50', '--checkpoint', ckpt, '--resume']),
        cellgrad(['train', ...SMALL, '--iterations', '50', '--checkpoint', ckpt, '--force']),
        cellgrad(['train', ...SMALL, '--iterations', '50', '--checkpoint', path.join(dir, '.', 'run.json')]),
      ]);
      for (const r of [resume, force, fresh]) {
        expect(errorLine(r)).toMatch(
          new RegExp(
            `^cellgrad: ${ckpt.replace(/[.]/g, '\\.')} is in use by another process: pid ${first.pid} \\(cellgrad train, since [^;]+; lock file ${ckpt.replace(/[.]/g, '\\.')}\\.lock\\)`,
          ),
        );
      }
    } finally {
      first.kill('SIGINT'); // the first run stops cleanly: final checkpoint, exit 130
    }
    expect(await exited).toBe(130);
    clearInterval(poll);
    expect(stderr).toMatch(/interrupted at iteration \d+; checkpoint written to/);
    expect(unreadable).toBe('');
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]!);
    const last = iterationOf(ckpt);
    expect(last).toBeGreaterThanOrEqual(seen[seen.length - 1]!);
    expect(readdirSync(dir)).toStrictEqual(['run.json']); // lock released, no temporaries
    // Once the first run has ended, the checkpoint can be continued.
    const next = await cellgrad(['train', ...SMALL, '--iterations', String(last + 2), '--checkpoint', ckpt, '--resume', '--json']);
    expect(next.code, next.stderr).toBe(0);
    expect(iterationOf(ckpt)).toBe(last + 2);
  }, 120_000);
});

describe('--checkpoint over an existing file', () => {
  it("is refused without --resume or --force (a foreign .ts file, another run's checkpoint); --force replaces it", async () => {
    const dir = tempDir('cellgrad-claims-');
    const cellFile = path.join(dir, 'mgu.ts');
    copyFileSync(path.join(repoRoot, 'examples/cells/minimal-gated-unit.ts'), cellFile);
    const source = readFileSync(cellFile, 'utf8');
    const other = path.join(dir, 'other.json');
    expect((await cellgrad(['train', ...SMALL, '--iterations', '3', '--checkpoint', other])).code).toBe(0);
    const otherText = readFileSync(other, 'utf8');
    const [overTs, overRun] = await Promise.all([
      cellgrad(['train', ...SMALL, '--iterations', '2', '--checkpoint', cellFile]),
      cellgrad(['train', ...SMALL, '--iterations', '2', '--checkpoint', other]),
    ]);
    expect(errorLine(overTs)).toBe(
      `cellgrad: --checkpoint ${cellFile} already exists (not a cellgrad checkpoint); continue that run with --resume, or replace the file with --force`,
    );
    expect(errorLine(overRun)).toBe(
      `cellgrad: --checkpoint ${other} already exists (a cellgrad checkpoint at iteration 3); continue that run with --resume, or replace the file with --force`,
    );
    expect(readFileSync(cellFile, 'utf8')).toBe(source);
    expect(readFileSync(other, 'utf8')).toBe(otherText);
    const forced = await cellgrad(['train', ...SMALL, '--iterations', '2', '--checkpoint', other, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(iterationOf(other)).toBe(2);
    expect(readdirSync(dir).sort()).toStrictEqual(['mgu.ts', 'other.json']);
  }, 60_000);
});

describe('colliding output paths', () => {
  it('two outputs that are one file, or an output that is an input, are refused before anything runs', async () => {
    const dir = tempDir('cellgrad-claims-');
    const ckpt = path.join(dir, 'run.json');
    symlinkSync(ckpt, path.join(dir, 'link.json'));
    const cellFile = path.join(dir, 'mgu.ts');
    copyFileSync(path.join(repoRoot, 'examples/cells/minimal-gated-unit.ts'), cellFile);
    const data = path.join(dir, 'data.json');
    writeFileSync(data, JSON.stringify({ lossCurves: [{ name: 'a', points: [[1, 2]] }] }));
    const graph = path.join(dir, 'graph.json');
    expect((await cellgrad(['save', 'rnn_tanh', '--steps', '2', '--out', graph])).code).toBe(0);
    const keep = [cellFile, data, graph].map((f) => readFileSync(f, 'utf8'));
    const cases: [string[], string][] = [
      [
        ['train', ...SMALL, '--checkpoint', ckpt, '--report-data', `${dir}/sub/../run.json`],
        `--checkpoint and --report-data are the same file (${ckpt}); give each output its own path`,
      ],
      [
        ['train', ...SMALL, '--checkpoint', path.join(dir, 'link.json'), '--report-data', ckpt],
        `--checkpoint and --report-data are the same file (${ckpt}); give each output its own path`,
      ],
      [
        ['train', ...SMALL, '--checkpoint', ckpt, '--report-data', `${ckpt}.lock`],
        `the lock file of --checkpoint and --report-data are the same file (${ckpt}.lock); give each output its own path`,
      ],
      [
        ['train', '--cell', cellFile, '--checkpoint', cellFile, '--force'],
        `--checkpoint ${cellFile} is the input --cell; writing it would destroy the input, choose another path`,
      ],
      [['report', '--data', data, '--out', data], `--out ${data} is the input --data; writing it would destroy the input, choose another path`],
      [['save', cellFile, '--out', cellFile], `--out ${cellFile} is the input <cell>; writing it would destroy the input, choose another path`],
      [['viz', graph, '--out', graph], `--out (graph.json) ${graph} is the input <source>; writing it would destroy the input, choose another path`],
      [['export', graph, '--out', graph], `--out ${graph} is the input <source>; writing it would destroy the input, choose another path`],
    ];
    const runs = await Promise.all(cases.map(([args]) => cellgrad(args)));
    for (const [i, r] of runs.entries()) expect(errorLine(r)).toBe(`cellgrad: ${cases[i]![1]}`);
    expect([cellFile, data, graph].map((f) => readFileSync(f, 'utf8'))).toStrictEqual(keep);
    expect(existsSync(ckpt)).toBe(false);
    expect(readdirSync(dir).sort()).toStrictEqual(['data.json', 'graph.json', 'link.json', 'mgu.ts']);
  }, 60_000);
});

describe('what killed processes leave behind', () => {
  it("the next run removes a dead process's temporary file and takes over its lock; a live process's temporary stays", async () => {
    const dir = tempDir('cellgrad-claims-');
    const ckpt = path.join(dir, 'run.json');
    expect((await cellgrad(['train', ...SMALL, '--iterations', '2', '--checkpoint', ckpt])).code).toBe(0);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const deadTemp = `.run.json.${dead}.1700000000000.tmp`; // the name the previous version gave its temporaries
    const liveTemp = '.run.json.1.lr4x0-0.tmp'; // pid 1 is running
    writeFileSync(path.join(dir, deadTemp), '{"format":"cellgrad-tr');
    writeFileSync(path.join(dir, liveTemp), '{"format":"cellgrad-tr');
    writeFileSync(`${ckpt}.lock`, JSON.stringify({ pid: Number(dead), owner: 'cellgrad train', since: 'earlier' }));
    const r = await cellgrad(['train', ...SMALL, '--iterations', '4', '--checkpoint', ckpt, '--resume']);
    expect(r.code, r.stderr).toBe(0);
    expect(iterationOf(ckpt)).toBe(4);
    expect(readdirSync(dir).sort()).toStrictEqual([liveTemp, 'run.json'].sort());
  }, 60_000);
});
