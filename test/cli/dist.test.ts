// The built command: after `tsc -b packages/cli` (what `pnpm build` runs for it), dist/bin.js runs
// under plain node (no tsx flag, no `@cellgrad/source` condition), through its shebang, from a directory
// outside the repo, and still loads a TypeScript cell file that imports 'cellgrad'; the playground's
// prebuilt assets (bundled from the packages' dist/) are what it serves.
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, run, tempDir } from './helpers.js';

const bin = path.join(repoRoot, 'packages/cli/dist/bin.js');

describe('cellgrad from dist', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(repoRoot, 'node_modules/typescript/bin/tsc'), '-b', 'packages/cli'], { cwd: repoRoot, stdio: 'pipe' });
    chmodSync(bin, 0o755); // as npm/pnpm do when they link a package's bin
  }, 120_000);

  it('runs gradcheck of a cell file outside the repo through the shebang', async () => {
    expect(readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    const dir = tempDir();
    copyFileSync(path.join(repoRoot, 'examples/cells/minimal-gated-unit.ts'), path.join(dir, 'mgu.ts'));
    const r = await run(['gradcheck', 'mgu.ts', '--steps', '2', '--mode', 'fast'], { file: bin, cwd: dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^gradcheck mgu: input 3, hidden 4, batch 2, steps 2, layers 1/);
    expect(r.stdout).toMatch(/PASSED: fast mode/);
  });

  it('serves the playground from the prebuilt assets that `pnpm build` writes', async () => {
    execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-playground.mjs')], { cwd: repoRoot, stdio: 'pipe' });
    const dir = path.join(tempDir(), 'site');
    const r = await run(['playground', '--build', dir], { file: bin, cwd: tempDir() });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^cellgrad playground: wrote 5 files to .*site \(prebuilt assets\)/);
    const worker = readFileSync(path.join(dir, 'worker.js'), 'utf8');
    expect(worker).toMatch(/cellgrad-worker/);
    expect(worker).not.toMatch(/worker_threads/);
  }, 120_000);
});
