#!/usr/bin/env node
// Type-checks every package and the tests (strict TypeScript), lints (scripts/lint.mjs: Biome's
// formatting and rules, the dependency rules), runs the whole test suite (vitest), then prints the
// closing line "N passed, N failed" that CI reads. Extra arguments pass through to vitest (e.g. a file
// filter); a failed type check or lint counts as one failure each.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'test-results.json');
rmSync(results, { force: true });
// Strict type check first: a type error counts as one failure (vitest itself does not type-check).
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const typecheck = spawnSync(
  process.execPath,
  [
    tsc,
    '-b',
    'packages/graph',
    'packages/autodiff',
    'packages/cells',
    'packages/viz',
    'packages/onnx',
    'packages/testing',
    'packages/cli',
    'packages/cli/playground',
    'test',
  ],
  { cwd: root, stdio: 'inherit' },
);
console.log(typecheck.status === 0 ? 'type check: passed' : 'type check: FAILED (see above)');
const lint = spawnSync(process.execPath, [path.join(root, 'scripts', 'lint.mjs')], { cwd: root, stdio: 'inherit' });
console.log(lint.status === 0 ? 'lint: passed' : 'lint: FAILED (see above; `pnpm format` fixes formatting)');
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const run = spawnSync(process.execPath, [vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
let passed = 0;
let failed = 0;
if (existsSync(results)) {
  const r = JSON.parse(readFileSync(results, 'utf8'));
  passed = r.numPassedTests ?? 0;
  // Failed tests, plus files that failed without a failed test (an import error, a crash in a hook):
  // numFailedTestSuites also counts the files and describe blocks of failed tests, so it is not added.
  const brokenFiles = (r.testResults ?? []).filter((f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed')).length;
  failed = (r.numFailedTests ?? 0) + brokenFiles;
} else {
  failed = 1;
}
if (typecheck.status !== 0) failed += 1;
if (lint.status !== 0) failed += 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(run.status === 0 && failed === 0 ? 0 : 1);
