// `cellgrad gradcheck` on a user's cell file with a bug (issue 12): the one-line error names the
// missing parameter (with the ones that exist), suggests 'sigmoid' for 'sigmod', and points at the
// file and line of the user's step; a NaN names the first non-finite op and step. The fixtures are
// copied to a temp dir outside the repository, as a user's files would be.
import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellgrad, repoRoot, tempDir } from './helpers.js';

const fixtures = path.join(repoRoot, 'test/robustness/fixtures/step-bugs');
const small = ['--input', '2', '--hidden', '2', '--batch', '1', '--steps', '3'];

/** Copy fixture `name` into a fresh temp dir; its path and the line holding `BUG`. */
function userFile(name: string): { file: string; line: number } {
  const file = path.join(tempDir('cellgrad-step-'), name);
  copyFileSync(path.join(fixtures, name), file);
  return {
    file,
    line:
      readFileSync(file, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('BUG')) + 1,
  };
}

function oneLine(r: { code: number; stdout: string; stderr: string }): string {
  expect(r.code).toBe(2);
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe('cellgrad gradcheck on a buggy cell file', () => {
  it('a missing parameter: named, with the parameters that exist and the file:line', async () => {
    const { file, line } = userFile('missing-param.ts');
    const text = oneLine(await cellgrad(['gradcheck', file, ...small]));
    expect(text).toContain(`cellgrad: in cell 'mycell', layer 0, step 0 (at ${file}:${line}:`);
    expect(text).toContain("parameter 'Wx' does not exist; the cell's parameters are W, U, b (declared by params())");
  });

  it('a missing state: named, with the inputs and states that exist', async () => {
    const { file, line } = userFile('missing-state.ts');
    const text = oneLine(await cellgrad(['gradcheck', file, ...small]));
    expect(text).toContain(`${file}:${line}:`);
    expect(text).toContain("input or state 'hidden' does not exist; the step's inputs and states are x, h");
  });

  it("a misspelt method: 'did you mean sigmoid', with the file:line (source-mapped .ts position)", async () => {
    const { file, line } = userFile('method-typo.ts');
    const text = oneLine(await cellgrad(['gradcheck', file, ...small]));
    expect(text).toMatch(new RegExp(`^cellgrad: cell 'typo', step 0 \\(at ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${line}:\\d+\\): step threw: `));
    expect(text).toMatch(/'sigmod' is not a Tensor method; did you mean 'sigmoid'\?$/);
  });

  it('a NaN: exit 1, and the output names the first non-finite op, node and step', async () => {
    const { file } = userFile('nan-log.ts');
    const r = await cellgrad(['gradcheck', file, ...small]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /order 1: a derivative is not finite; first non-finite value in the forward pass: non-finite value: node %\d+ \(log\) produced NaN .* in cell 'lognan', layer 0, step 1/,
    );
    expect(r.stdout).toMatch(/x +\[3,1,2\] +Infinity +Infinity /);
    const json = JSON.parse((await cellgrad(['gradcheck', file, ...small, '--json'])).stdout) as {
      cells: { report: { orders: { nonFinite: { during: string; report: { op: string; scope: { step: number } } } }[] } }[];
    };
    expect(json.cells[0]!.report.orders[0]!.nonFinite).toMatchObject({ during: 'forward', report: { op: 'log', scope: { step: 1 } } });
  });
});
