// Folding repeated time steps: which steps count as "the same as the previous one" (modulo ids,
// with per-step slices and pads shifted), and the text form that folds them.
import { describe, expect, it } from 'vitest';
import { getBuiltinCell, unroll } from '@cellgrad/cells';
import { buildGraph, print, printNode, type Graph, type Tensor } from '@cellgrad/graph';
import { printFolded, stepStructure } from '@cellgrad/viz';
import { cellGradGraph } from '../../packages/cli/src/graph-source.js';

const sizes = { input: 3, hidden: 4, batch: 2 };

/** A toy recurrence h ← f_t(h)·w over 10 steps, where `odd(t)` chooses a different step body. */
function toy(odd: (t: number, h: Tensor) => Tensor | undefined): Graph {
  return buildGraph((b) => {
    let h = b.input('h0', [2, 4]);
    const w = b.input('w', [4]);
    for (let t = 0; t < 10; t++) h = b.scoped({ cell: 'toy', step: t }, () => (odd(t, h) ?? h.tanh()).mul(w));
    return { h };
  });
}

const headers = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('#'));

describe('stepStructure', () => {
  it('finds every middle step of an unrolled cell the same as the one before', () => {
    const s = stepStructure(unroll(getBuiltinCell('lstm'), { ...sizes, steps: 8 }));
    const lane = s.lanes.get('l0:forward')!;
    expect(lane.map((gr) => gr.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(lane.filter((gr) => s.repeats.has(gr)).map((gr) => gr.step)).toEqual([2, 3, 4, 5, 6]);
  });

  it('tells a step with another op, or another constant, apart', () => {
    const sig = stepStructure(toy((t, h) => (t === 5 ? h.sigmoid() : undefined)));
    expect([...sig.repeats].map((gr) => gr.step).sort((a, b) => a - b)).toEqual([2, 3, 4, 7, 8]);
    const scaled = stepStructure(toy((t, h) => h.mul(t === 4 ? 2 : 1).tanh()));
    expect([...scaled.repeats].map((gr) => gr.step).sort((a, b) => a - b)).toEqual([2, 3, 6, 7, 8]);
    const counting = stepStructure(toy((t, h) => h.mul(t + 1).tanh()));
    expect(counting.repeats.size).toBe(0);
  });

  it('groups gradient nodes into backward steps and finds their repeats too', () => {
    const g = cellGradGraph(unroll(getBuiltinCell('gru'), { ...sizes, steps: 8 }));
    const s = stepStructure(g);
    const back = s.lanes.get('l0:backward')!;
    expect(back.map((gr) => gr.step)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(back.filter((gr) => s.repeats.has(gr)).length).toBeGreaterThanOrEqual(4);
    for (const n of g.nodes) if (n.scope?.phase === 'backward') expect(s.backward[n.id]).toBe(true);
    for (const n of unroll(getBuiltinCell('gru'), { ...sizes, steps: 8 }).nodes) expect(s.backward[n.id]).toBe(false);
  });
});

/** A toy loop over 10 steps reading rows [at(t), at(t) + 2) of a value computed once before it. */
function rowSlices(at: (t: number) => number): Graph {
  return buildGraph((b) => {
    const all = b.input('x', [200, 4]).tanh();
    let h = b.input('h0', [2, 4]);
    for (let t = 0; t < 10; t++)
      h = b.scoped({ cell: 'toy', step: t }, () =>
        all
          .slice(0, at(t), at(t) + 2)
          .add(h)
          .tanh(),
      );
    return { h };
  });
}

describe('stepStructure: hoisted step loops', () => {
  it('folds the steps of a hoisted loop, whose row slices move by B rows a step, forward and backward', () => {
    for (const cell of ['lstm', 'gru', 'lstm_layernorm']) {
      const g = unroll(getBuiltinCell(cell), { ...sizes, steps: 8 });
      const slices = g.nodes.filter((n) => n.op === 'slice' && n.attrs.axis === 0 && n.scope?.step !== undefined);
      expect(slices.length, cell).toBeGreaterThanOrEqual(8);
      for (const n of slices) expect(n.attrs.start, cell).toBe(n.scope!.step! * sizes.batch);
      for (const graph of [g, cellGradGraph(g)]) {
        const s = stepStructure(graph);
        for (const [lane, list] of s.lanes) {
          const repeated = list.filter((gr) => s.repeats.has(gr)).map((gr) => gr.step);
          expect(repeated, `${cell} ${lane}`).toEqual(lane.endsWith('forward') ? [2, 3, 4, 5, 6] : [2, 3, 4, 5]);
        }
      }
    }
  });

  it('folds slices that move by a fixed stride, not ones whose stride changes from step to step', () => {
    const steps = (g: Graph) => [...stepStructure(g).repeats].map((gr) => gr.step).sort((a, b) => a - b);
    expect(steps(rowSlices((t) => 2 * t))).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(steps(rowSlices((t) => 7 * t))).toEqual([2, 3, 4, 5, 6, 7, 8]);
    const quadratic = steps(rowSlices((t) => t * t));
    expect(quadratic.some((t) => quadratic.includes(t + 1))).toBe(false);
    expect(headers(printFolded(rowSlices((t) => t * t))).some((l) => /^# steps \d+\.\./.test(l))).toBe(false);
  });
});

describe('printFolded', () => {
  const g = unroll(getBuiltinCell('rnn_tanh'), { ...sizes, steps: 10 });

  it('folds the repeated steps into one line and keeps the rest exactly as print has them', () => {
    const text = printFolded(g);
    const fold = headers(text).filter((l) => l.includes('same as'));
    expect(fold).toHaveLength(1);
    // 5 nodes a step: the row slice of the hoisted x·W + b, h·U, its bias, the sum, tanh.
    expect(fold[0]).toMatch(/^# steps 2\.\.8 same as step 1 \(5 nodes each, %\d+\.\.%\d+ folded\)$/);
    const { groupOf } = stepStructure(g);
    const lines = new Set(text.split('\n'));
    for (const n of g.nodes) {
      const step = groupOf[n.id]?.step;
      const folded = step !== undefined && step >= 2 && step <= 8;
      expect(lines.has(printNode(n)), printNode(n)).toBe(!folded);
    }
    expect(text.split('\n').at(-1)).toBe(print(g).split('\n').at(-1));
    expect(text).toMatch(/\n# step 9 \(rnn_tanh\)\n/);
  });

  it('prints every node without folding when asked', () => {
    const text = printFolded(g, { fold: false });
    expect(text.split('\n').filter((l) => !l.startsWith('#'))).toEqual(print(g).split('\n'));
    expect(headers(text).some((l) => l.includes('same as'))).toBe(false);
  });

  it('folds around a step that differs', () => {
    const text = printFolded(toy((t, h) => (t === 5 ? h.sigmoid() : undefined)));
    expect(headers(text).filter((l) => /step/.test(l))).toEqual([
      '# step 0 (toy)',
      '# step 1 (toy)',
      expect.stringMatching(/^# steps 2\.\.4 same as step 1 /),
      '# step 5 (toy)',
      '# step 6 (toy)',
      expect.stringMatching(/^# steps 7\.\.8 same as step 6 /),
      '# step 9 (toy)',
    ]);
    expect(text).toMatch(/= sigmoid %\d+\s+# toy t=5/);
  });

  it('folds every layer and the backward steps of a stacked gradient graph', () => {
    const text = printFolded(cellGradGraph(unroll(getBuiltinCell('lstm'), { ...sizes, steps: 10, layers: 2 })));
    const folds = headers(text).filter((l) => l.includes('same as'));
    expect(folds.some((l) => l.startsWith('# layer 0 · steps 2..8 same as step 1'))).toBe(true);
    expect(folds.some((l) => l.startsWith('# layer 1 · steps 2..8 same as step 1'))).toBe(true);
    expect(folds.filter((l) => l.includes('· backward same as')).length).toBe(2);
    expect(text.split('\n').length).toBeLessThan(
      print(cellGradGraph(unroll(getBuiltinCell('lstm'), { ...sizes, steps: 10, layers: 2 }))).split('\n').length / 2,
    );
  });
});
