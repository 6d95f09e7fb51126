// Errors of the `cellgrad` command: a bad option, a missing file or a file without cells print ONE
// line `cellgrad: …` on stderr (no stack trace) and exit 2.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellgrad, repoRoot } from './helpers.js';

function expectOneLineError(r: { code: number; stdout: string; stderr: string }): string {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^cellgrad: /);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('cellgrad errors', () => {
  it('a bad option value: one line, exit 2', async () => {
    const line = expectOneLineError(await cellgrad(['gradcheck', 'lstm', '--hidden', 'abc']));
    expect(line).toMatch(/--hidden.*'abc'.*positive integer/);
  });

  it('a missing file: one line naming the path, exit 2', async () => {
    const line = expectOneLineError(await cellgrad(['gradcheck', 'no/such/cell.ts']));
    expect(line).toBe(`cellgrad: no such file: ${path.join(repoRoot, 'no/such/cell.ts')}`);
  });

  it('a file exporting no cell: says so and lists its exports, exit 2', async () => {
    const line = expectOneLineError(await cellgrad(['gradcheck', 'test/cli/fixtures/no-cell.ts']));
    expect(line).toMatch(/no-cell\.ts exports no cell made with defineCell \(it exports: hidden \(number\), notACell \(function\)\)$/);
  });

  it('a CellgradError (bad graph JSON) is one line; CELLGRAD_DEBUG=1 adds the stack', async () => {
    const r = await cellgrad(['print', 'package.json'], { CELLGRAD_DEBUG: '1' });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`cellgrad: graph JSON: 'format' must be "cellgrad-graph", got undefined`);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});
