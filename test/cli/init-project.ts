/**
 * A project made by `cellgrad init`, wired to this workspace instead of an npm install: its
 * node_modules links cellgrad to packages/cli (whose dependencies are the workspace packages) and
 * vitest, fast-check and TypeScript to the repository's own copies, and `node_modules/.bin/vitest`
 * is a shim that runs vitest with the project's own config plus the workspace's `source` export
 * condition (cellgrad's packages resolve to their TypeScript sources, so nothing needs building).
 * `npm test` in the project then runs exactly its `test` script.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot, type CliRun } from './helpers.js';

const SHIM = `#!/usr/bin/env node
// Test shim (test/cli/init-project.ts): vitest with the project's config and the workspace's '@cellgrad/source' condition.
import { startVitest } from 'vitest/node';
const [command = 'run', ...filters] = process.argv.slice(2);
const conditions = { resolve: { conditions: ['@cellgrad/source'] }, ssr: { resolve: { conditions: ['@cellgrad/source'] } } };
const vitest = await startVitest('test', filters, { run: command === 'run', watch: false }, conditions);
await vitest?.close();
`;

/** Link the workspace into the project at `dir` (see the file header). */
export function linkWorkspace(dir: string): void {
  const modules = path.join(dir, 'node_modules');
  mkdirSync(path.join(modules, '.bin'), { recursive: true });
  symlinkSync(path.join(repoRoot, 'packages/cli'), path.join(modules, 'cellgrad'), 'dir');
  for (const dep of ['vitest', 'fast-check', 'typescript']) {
    symlinkSync(realpathSync(path.join(repoRoot, 'node_modules', dep)), path.join(modules, dep), 'dir');
  }
  const shim = path.join(modules, '.cellgrad-test', 'vitest.mjs');
  mkdirSync(path.dirname(shim), { recursive: true });
  writeFileSync(shim, SHIM);
  chmodSync(shim, 0o755);
  symlinkSync(path.relative(path.join(modules, '.bin'), shim), path.join(modules, '.bin', 'vitest'));
}

/** Run `npm <args>` in `cwd`; resolves (never rejects) with the exit code and output. */
export function npm(args: readonly string[], cwd: string): Promise<CliRun> {
  return new Promise((resolve) => {
    execFile('npm', [...args], { cwd, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}
