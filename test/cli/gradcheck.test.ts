// `cellgrad gradcheck`: a built-in cell passes, a cell file outside the repo (importing 'cellgrad')
// passes, a cell with a deliberately wrong VJP fails with exit 1.
import { copyFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellgrad, repoRoot, tempDir } from './helpers.js';

describe('cellgrad gradcheck', () => {
  it('passes on a built-in cell and prints a header and the table', async () => {
    const r = await cellgrad(['gradcheck', 'gru', '--steps', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^gradcheck gru: input 3, hidden 4, batch 2, steps 3, layers 1 \(float64, seed 0\)\n/);
    expect(r.stdout).toMatch(/order\s+input\s+shape\s+max abs err\s+max rel err/);
    for (const input of ['x', 'h0', 'weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']) expect(r.stdout).toMatch(new RegExp(`\\n1\\s+${input}\\s+\\[.*pass\\n`));
    expect(r.stdout).toMatch(/PASSED: full mode/);
  });

  it('--mode fwd checks forward mode; --mode fast,fwd,rev checks both against each other', async () => {
    const fwd = await cellgrad(['gradcheck', 'lstm', '--steps', '3', '--mode', 'fwd']);
    expect(fwd.stderr).toBe('');
    expect(fwd.code).toBe(0);
    expect(fwd.stdout).toMatch(/order\s+check\s+input/);
    expect(fwd.stdout).toMatch(/\n1\s+fwd\s+weight_ih\s+\[.*pass\n/);
    expect(fwd.stdout).not.toMatch(/\brev\b/);
    expect(fwd.stdout).toMatch(/PASSED: full mode \(fwd\)/);
    const both = await cellgrad(['gradcheck', 'gru', '--steps', '3', '--mode', 'fast,fwd,rev', '--json']);
    expect(both.code).toBe(0);
    const report = JSON.parse(both.stdout).cells[0].report;
    expect(report.mode).toBe('fast');
    expect(report.modes).toEqual(['fwd', 'rev']);
    expect(new Set(report.orders[0].inputs.map((i: { check: string }) => i.check))).toEqual(new Set(['rev', 'fwd', 'fwd=rev']));
    const bad = await cellgrad(['gradcheck', 'gru', '--mode', 'fwd,sideways']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/'sideways' is not a mode/);
  });

  it('--lengths --batch-first checks a variable-length, batch-first graph (lengths get no gradient)', async () => {
    const r = await cellgrad(['gradcheck', 'lstm', '--steps', '3', '--lengths', '--batch-first', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.passed).toBe(true);
    expect(json.cells[0].report.orders[0].inputs.map((i: { name: string }) => i.name).slice(0, 2)).toEqual(['x', 'lengths']);
  });

  it('loads a cell file from a directory outside the repo, resolving its cellgrad imports', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'mgu.ts');
    copyFileSync(path.join(repoRoot, 'examples/cells/minimal-gated-unit.ts'), file);
    const r = await cellgrad(['gradcheck', file, '--json', '--layers', '2', '--steps', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.passed).toBe(true);
    expect(json.cells).toHaveLength(1);
    expect(json.cells[0].cell).toBe('mgu');
    expect(json.cells[0].sizes).toEqual({ input: 3, hidden: 4, batch: 2, steps: 3, layers: 2 });
    expect(json.cells[0].report.orders[0].inputs.map((i: { name: string }) => i.name)).toEqual(['x', 'h0', 'W_l0', 'U_l0', 'b_l0', 'W_l1', 'U_l1', 'b_l1']);
  });

  it('a one-file user op outside the repo is a function: defined with defineElementwise, called in a cell, gradchecked', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'softsign-cell.ts');
    writeFileSync(
      file,
      [
        "import { defineCell, defineElementwise, linear } from 'cellgrad';",
        '',
        '// softsign(x) = x / (1 + |x|), an op of the user: defineElementwise returns it as a function.',
        'export const softsign = defineElementwise({',
        "  name: 'user_softsign', arity: 1, doc: 'x / (1 + |x|)',",
        '  fn: (x) => x / (1 + Math.abs(x)),',
        '  vjp: ({ inputs: [x], grad }) => [grad.div(x!.abs().add(1).square())],',
        '});',
        '',
        'export const softsignElman = defineCell({',
        "  name: 'softsign_elman',",
        '  params: ({ input: I, hidden: H }) => ({ W: [H, I], U: [H, H], b: [H] }),',
        '  state: ({ hidden: H }) => ({ h: [H] }),',
        '  step: ({ x, h }, { W, U, b }) => ({ h: softsign(linear(x, W, b).add(linear(h, U))) }),',
        '});',
        '',
      ].join('\n'),
    );
    const r = await cellgrad(['gradcheck', file, '--json', '--steps', '3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.cells[0].cell).toMatch(/^softsign_elman/);
    expect(json.passed).toBe(true);
    const p = await cellgrad(['print', file, '--steps', '1']);
    expect(p.stderr).toBe('');
    expect(p.stdout).toMatch(/= user_softsign %\d+/);
  });

  it('fails with exit 1 on a custom op with a wrong VJP, naming the failing inputs', async () => {
    const r = await cellgrad(['gradcheck', 'test/cli/fixtures/wrong-vjp-cell.ts', '--steps', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^gradcheck wrong_elman \(export wrongElman\):/);
    expect(r.stdout).toMatch(/\n1\s+W\s+\[4,3\].*FAIL\n/);
    expect(r.stdout).toMatch(/FAILED: full mode/);
  });
});
