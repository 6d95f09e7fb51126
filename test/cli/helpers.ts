/**
 * Test helpers for the `cellgrad` command: spawn the real command from the repo root (node with
 * tsx's loader and the `@cellgrad/source` condition — measured faster than `npx tsx`), and make temp dirs
 * outside the repository.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The PyTorch reference vectors: a copy of ../shared/reference kept in the repository, so the tests
 * run on a machine that has only the clone (test/fixtures/reference.test.ts keeps it equal to the
 * shared folder wherever that exists).
 */
export const referenceDir = path.resolve(repoRoot, 'test/fixtures/reference');

/** What a run of the command produced. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Run `file <args>` (default: node) in `cwd` (default: the repo root); resolves (never rejects)
 * with the exit code and output.
 */
export function run(args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; file?: string } = {}): Promise<CliRun> {
  const { env = {}, cwd = repoRoot, file = process.execPath } = options;
  return new Promise((resolve) => {
    execFile(file, [...args], { cwd, env: { ...process.env, ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Run `cellgrad <args>` from source, as `pnpm cellgrad` does. */
export function cellgrad(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return run(['--conditions=@cellgrad/source', '--import', 'tsx', 'packages/cli/src/bin.ts', ...args], { env });
}

/**
 * Run `cellgrad` on each argument list in one node process (test/cli/fixtures/run-many.ts), in
 * order; resolves with one run per list. Far cheaper than a process per run when there are many.
 */
export async function cellgradMany(lists: readonly (readonly string[])[]): Promise<CliRun[]> {
  const file = path.join(tempDir('cellgrad-many-'), 'args.json');
  writeFileSync(file, JSON.stringify(lists));
  const r = await run(['--conditions=@cellgrad/source', '--import', 'tsx', 'test/cli/fixtures/run-many.ts', file]);
  if (r.code !== 0) throw new Error(`run-many failed (exit ${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as CliRun[];
}

/** A fresh directory under the OS temp dir (outside the repository, so no node_modules above it). */
export function tempDir(prefix = 'cellgrad-cli-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}
