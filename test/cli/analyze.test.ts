// `cellgrad analyze`: the split of a built-in cell as text and JSON, and a cell of one's own from a
// file outside the repository, detected as a linear recurrence.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellgradInProcess } from './in-process.js';
import { cellgrad } from './helpers.js';

describe('cellgrad analyze', () => {
  it('prints the core, the time-parallel work and the verdict of a built-in cell', async () => {
    const r = await cellgradInProcess(['analyze', 'lstm']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/recurrent core: on a cycle through a state \(18 nodes\)/);
    expect(r.stdout).toMatch(/time-parallel: reads x, no state \(3 nodes\):\n {2}%0:f64\[2,3\] = input "x"/);
    expect(r.stdout).toContain('state c: not linear');
    expect(r.stdout).toContain('the recurrence is not linear: it runs step by step');
  });

  it('--json gives the same split and the linear form of mingru', async () => {
    const r = await cellgradInProcess(['analyze', 'mingru', '--json', '--hidden', '8']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.cell).toBe('mingru');
    expect(j.sizes).toEqual({ input: 3, hidden: 8 });
    expect(j.linear).toBe(true);
    expect(j.core.map((n: { op: string }) => n.op)).toEqual(['input', 'mul', 'add']);
    expect(j.states[0].linear.a).toMatch(/^%\d+$/);
  });

  it("detects a user's own linear cell in a file outside the repository", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'analyze-'));
    const file = path.join(dir, 'leaky.ts');
    writeFileSync(
      file,
      `import { defineCell } from 'cellgrad';
export const leaky = defineCell({
  name: 'leaky',
  params: ({ input: I, hidden: H }) => ({ W: [H, I], decay: [H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { W, decay }) => ({ h: decay.sigmoid().mul(h).add(x.matmul(W.T).tanh()) }),
});
`,
    );
    const r = await cellgrad(['analyze', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/state h: linear, h' = a ⊙ h \+ b with a = %\d+, b = %\d+/);
    expect(r.stdout).toContain('the whole recurrence is linear: it runs as a scan');
  });

  it('export writes a linear cell step by step (ONNX has no linear_scan)', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'export-scan-')), 'm.onnx');
    const r = await cellgradInProcess(['export', 'mingru', '--grad', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote .*m\.onnx \(\d+ ONNX nodes/);
  });

  it('an unknown cell is one line and exit 2', async () => {
    const r = await cellgradInProcess(['analyze', 'nocell']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown cell 'nocell'/);
  });
});
