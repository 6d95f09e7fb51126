// recurrentCore on unrolled graphs, and the drawings that colour it (toDot's highlightCore, viz --core).
import { describe, expect, it } from 'vitest';
import { getBuiltinCell, unroll } from '@cellgrad/cells';
import { recurrentCore } from '@cellgrad/graph';
import { toDot } from '@cellgrad/viz';
import { cellgradInProcess } from '../cli/in-process.js';

const sizes = { input: 3, hidden: 4, batch: 2, steps: 3 };

describe('recurrentCore', () => {
  it('holds h·U, the gates and c of every LSTM step, not x·W', () => {
    const g = unroll(getBuiltinCell('lstm'), sizes);
    const core = recurrentCore(g);
    const h0 = g.inputs.find((p) => p.name === 'h0')!.id;
    const x = g.inputs.find((p) => p.name === 'x')!.id;
    const fromX = (id: number): boolean => id === x || g.nodes[id]!.inputs.some((i) => i !== h0 && !core.has(i) && fromX(i));
    const matmuls = g.nodes.filter((n) => n.op === 'matmul');
    const recurrent = matmuls.filter((n) => core.has(n.id));
    expect(recurrent).toHaveLength(3); // one h·U per step
    for (const n of matmuls.filter((m) => !core.has(m.id))) expect(fromX(n.inputs[0]!)).toBe(true);
    expect(g.nodes.filter((n) => core.has(n.id) && n.op === 'sigmoid')).toHaveLength(9);
  });

  it("is the scan itself in minGRU's scan form, and empty without states", () => {
    const g = unroll(getBuiltinCell('mingru'), sizes);
    const ops = g.nodes.filter((n) => recurrentCore(g).has(n.id)).map((n) => n.op);
    expect(ops).toContain('linear_scan');
    expect(ops).not.toContain('matmul');
    expect(ops).not.toContain('sigmoid');
    expect(recurrentCore({ nodes: [], inputs: [], outputs: [] }).size).toBe(0);
  });
});

describe('drawing the core', () => {
  it('toDot colours core nodes only when asked', () => {
    const g = unroll(getBuiltinCell('gru'), sizes);
    expect(toDot(g)).not.toContain('class="core"');
    const dot = toDot(g, { highlightCore: true });
    const coreLines = dot.split('\n').filter((l) => l.includes('class="core"'));
    expect(coreLines.length).toBeGreaterThan(0);
    expect(coreLines.every((l) => !/label="%\d+ matmul[^"]*".*tooltip="[^"]*matmul %0 /.test(l))).toBe(true);
  });

  it('cellgrad viz --core writes the coloured DOT', async () => {
    const r = await cellgradInProcess(['viz', 'qrnn', '--steps', '3', '--format', 'dot', '--core']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/class="core", label="%\d+ linear_scan/);
  });
});
