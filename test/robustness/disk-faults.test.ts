/**
 * Real disk faults through the real `cellgrad` command: a full disk (a small tmpfs: ENOSPC), a
 * read-only file system (EROFS) and a folder the user may not write (EACCES, run as user nobody
 * when the tests run as root, since root bypasses permission bits). Every command that writes a file
 * exits 2 with one line naming the file and the errno, the previous good file is byte-for-byte
 * unchanged, and no temporary file is left. The first case is issue 12's reproduction: a resumed
 * training run on a full disk used to exit 0 and leave a checkpoint truncated at 45,056 bytes.
 */
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { saveWeights } from '@cellgrad/cells/node';
import { writeReport } from '@cellgrad/viz';
import { cellgrad, repoRoot, tempDir, type CliRun } from '../cli/helpers.js';
import { sampleReportData } from '../viz/sample-data.js';
import { thrown } from './helpers.js';
import { mountSupport, remountReadOnly, withTmpfs } from './mounts.js';

const onDisk = it.skipIf(!mountSupport.ok);
const TRAIN = ['train', '--cell', 'lstm', '--steps', '5', '--hidden', '16', '--batch', '4', '--log-every', '100'];

/** Fill the file system holding `dir` to the last byte. */
function fill(dir: string): void {
  try {
    writeFileSync(path.join(dir, 'filler'), Buffer.alloc(64 << 20));
  } catch (e) {
    expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
  }
}

/** The one `cellgrad:` line of a failed run, checked: exit 2, no stack trace. */
function errorLine(r: CliRun): string {
  expect(r.code, r.stderr).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('cellgrad: '));
  expect(lines).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

const noTemporaries = (dir: string) => expect(readdirSync(dir).filter((n) => n.endsWith('.tmp') || n.endsWith('.lock'))).toStrictEqual([]);

describe('a full disk (ENOSPC, a real tmpfs)', () => {
  onDisk(
    'train --resume on a full disk: exit 2 naming the file and ENOSPC; the last good checkpoint is kept',
    () =>
      withTmpfs('128k', async (dir) => {
        const ckpt = path.join(dir, 'run.json');
        expect((await cellgrad([...TRAIN, '--iterations', '3', '--checkpoint', ckpt])).code).toBe(0);
        const good = readFileSync(ckpt, 'utf8');
        expect(good.length).toBeGreaterThan(64 << 10); // two copies do not fit in 128 KiB
        const r = await cellgrad([...TRAIN, '--iterations', '10', '--resume', '--checkpoint-every', '2', '--checkpoint', ckpt]);
        expect(errorLine(r)).toBe(`cellgrad: cannot write ${ckpt}: no space left on device (ENOSPC); the previous file is unchanged`);
        expect(readFileSync(ckpt, 'utf8')).toBe(good);
        expect(JSON.parse(good).iteration).toBe(3);
        noTemporaries(dir);
      }),
    120_000,
  );

  onDisk(
    'save, export, viz, report --out and train --report-data keep the previous file on a full disk',
    () =>
      withTmpfs('4m', async (dir) => {
        const data = path.join(tempDir('cellgrad-disk-'), 'data.json');
        writeFileSync(data, JSON.stringify(sampleReportData()));
        const out = (f: string) => path.join(dir, f);
        const commands: string[][] = [
          ['save', 'rnn_tanh', '--steps', '2', '--out', out('graph.json')],
          ['export', 'rnn_tanh', '--steps', '2', '--out', out('model.onnx')],
          ['viz', 'gru', '--steps', '2', '--out', out('gru.dot')],
          ['report', '--data', data, '--out', out('report.html')],
          ['train', '--cell', 'rnn_tanh', '--steps', '3', '--hidden', '4', '--batch', '2', '--iterations', '2', '--report-data', out('flow.json')],
        ];
        for (const r of await Promise.all(commands.map((c) => cellgrad(c)))) expect(r.code, r.stderr).toBe(0);
        const files = ['graph.json', 'model.onnx', 'gru.dot', 'report.html', 'flow.json'].map(out);
        const before = files.map((f) => readFileSync(f));
        fill(dir);
        const runs = await Promise.all(commands.map((c) => cellgrad(c)));
        for (const [i, r] of runs.entries()) {
          expect(errorLine(r)).toBe(`cellgrad: cannot write ${files[i]}: no space left on device (ENOSPC); the previous file is unchanged`);
          expect(readFileSync(files[i]!).equals(before[i]!)).toBe(true);
        }
        noTemporaries(dir);
      }),
    120_000,
  );

  onDisk('the library writers (saveWeights, writeReport) throw a CellgradError and keep the previous file', () =>
    withTmpfs('2m', async (dir) => {
      const weights = path.join(dir, 'w.json');
      const report = path.join(dir, 'r.html');
      saveWeights(weights, { W: { shape: [2], data: new Float64Array([1, 2]) } });
      await writeReport(report, sampleReportData());
      const before = [readFileSync(weights), readFileSync(report)];
      fill(dir);
      expect(thrown(() => saveWeights(weights, { W: { shape: [3], data: new Float64Array([1, 2, 3]) } })).message).toBe(
        `cannot write ${weights}: no space left on device (ENOSPC); the previous file is unchanged`,
      );
      await expect(writeReport(report, sampleReportData())).rejects.toThrow(
        `cannot write ${report}: no space left on device (ENOSPC); the previous file is unchanged`,
      );
      expect(readFileSync(weights).equals(before[0]!)).toBe(true);
      expect(readFileSync(report).equals(before[1]!)).toBe(true);
      noTemporaries(dir);
    }),
  );
});

describe('a read-only file system (EROFS) and a folder the user may not write (EACCES)', () => {
  onDisk(
    'EROFS: save keeps the previous file; train cannot even lock its checkpoint, and says so',
    () =>
      withTmpfs('1m', async (dir) => {
        const graph = path.join(dir, 'graph.json');
        expect((await cellgrad(['save', 'rnn_tanh', '--steps', '2', '--out', graph])).code).toBe(0);
        const before = readFileSync(graph);
        remountReadOnly(dir);
        const [save, train] = await Promise.all([
          cellgrad(['save', 'rnn_tanh', '--steps', '3', '--out', graph]),
          cellgrad([...TRAIN, '--iterations', '2', '--checkpoint', path.join(dir, 'run.json')]),
        ]);
        expect(errorLine(save)).toBe(`cellgrad: cannot write ${graph}: read-only file system (EROFS); the previous file is unchanged`);
        expect(errorLine(train)).toBe(`cellgrad: cannot lock ${dir}/run.json: cannot create ${dir}/run.json.lock: read-only file system (EROFS)`);
        expect(readFileSync(graph).equals(before)).toBe(true);
      }),
    120_000,
  );

  it('EACCES: a folder the user may not write (as user nobody when running as root)', async () => {
    const dir = tempDir('cellgrad-eacces-');
    const graph = path.join(dir, 'graph.json');
    expect((await cellgrad(['save', 'rnn_tanh', '--steps', '2', '--out', graph])).code).toBe(0);
    const before = readFileSync(graph);
    chmodSync(dir, 0o555); // readable and searchable by all, writable by nobody but root
    const asRoot = process.getuid?.() === 0;
    const r = await new Promise<CliRun>((resolve) => {
      execFile(
        process.execPath,
        ['--conditions=@cellgrad/source', '--import', 'tsx', 'packages/cli/src/bin.ts', 'save', 'rnn_tanh', '--steps', '3', '--out', graph],
        { cwd: repoRoot, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      );
    });
    chmodSync(dir, 0o755);
    expect(errorLine(r)).toBe(`cellgrad: cannot write ${graph}: permission denied (EACCES); the previous file is unchanged`);
    expect(readFileSync(graph).equals(before)).toBe(true);
    noTemporaries(dir);
  }, 60_000);

  it('EISDIR: an output path that is a directory is refused, nothing inside it touched', async () => {
    const dir = tempDir('cellgrad-eisdir-');
    const target = path.join(dir, 'out.json');
    mkdirSync(target);
    copyFileSync(path.join(repoRoot, 'package.json'), path.join(target, 'inside'));
    const [save, train] = await Promise.all([
      cellgrad(['save', 'rnn_tanh', '--steps', '2', '--out', target]),
      cellgrad([...TRAIN, '--iterations', '2', '--checkpoint', target]),
    ]);
    expect(errorLine(save)).toBe(`cellgrad: cannot write ${target}: it is a directory (EISDIR); nothing was written`);
    expect(errorLine(train)).toBe(`cellgrad: --checkpoint ${target} is a directory; give the checkpoint file's path`);
    expect(readdirSync(target)).toStrictEqual(['inside']);
    noTemporaries(dir);
  });
});
