// DOT drawing: one cluster per time step, recurrent edges present and styled, shared weights not
// mistaken for state, gradient nodes marked, middle steps folded, and the node budget's marker.
import { describe, expect, it } from 'vitest';
import { getBuiltinCell, unroll } from '@cellgrad/cells';
import { buildView, resolveDotOptions, toDot, type DotOptions } from '@cellgrad/viz';
import { cellGradGraph } from '../../packages/cli/src/graph-source.js';

const sizes = { input: 3, hidden: 4, batch: 2 };
const graphOf = (cell: string, steps: number, layers = 1) => unroll(getBuiltinCell(cell), { ...sizes, steps, layers });

/** The DOT statements of clusters: `subgraph cluster_x {` then its label line. */
function clusters(dot: string): { key: string; label: string }[] {
  return [...dot.matchAll(/subgraph (cluster_\w+) \{\n\s+graph \[[^\n]*label="([^"]*)"/g)].map((m) => ({ key: m[1]!, label: m[2]! }));
}

/** Edges `a -> b [...]` with their attribute text. */
function edges(dot: string): { from: string; to: string; attrs: string }[] {
  return [...dot.matchAll(/^\s+(\w+) -> (\w+)(?: \[(.*)\])?;$/gm)].map((m) => ({ from: m[1]!, to: m[2]!, attrs: m[3] ?? '' }));
}

/** Node statements `n12 [...]` by key. */
function nodes(dot: string): Map<string, string> {
  return new Map([...dot.matchAll(/^\s+(\w+) \[(.*)\];$/gm)].filter((m) => m[1] !== 'graph' && m[1] !== 'node' && m[1] !== 'edge').map((m) => [m[1]!, m[2]!]));
}

const noFold: DotOptions = { collapseSteps: false };

describe('toDot: time steps', () => {
  it('draws one cluster per time step, labelled with the step', () => {
    const dot = toDot(graphOf('rnn_tanh', 5), noFold);
    expect(clusters(dot)).toEqual([0, 1, 2, 3, 4].map((t) => ({ key: `cluster_l0_forward_${t}`, label: `step ${t}` })));
    expect(dot.startsWith('digraph cellgrad {')).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
  });

  it('labels layers when cells are stacked', () => {
    const labels = clusters(toDot(graphOf('gru', 3, 2), noFold)).map((c) => c.label);
    expect(labels.sort()).toEqual(['layer 0 · step 0', 'layer 0 · step 1', 'layer 0 · step 2', 'layer 1 · step 0', 'layer 1 · step 1', 'layer 1 · step 2']);
  });

  it('draws the recurrent edges (state of step t into step t+1) in their own style', () => {
    for (const [cell, perStep] of [
      ['rnn_tanh', 1],
      ['gru', 2],
      ['lstm', 2],
    ] as const) {
      const g = graphOf(cell, 6);
      const view = buildView(g, resolveDotOptions(noFold));
      const recurrent = view.edges.filter((e) => e.cls === 'recurrent');
      expect(recurrent.length, cell).toBe(5 * perStep);
      for (const e of recurrent) {
        const from = g.nodes[Number(e.from.slice(1))]!;
        const to = g.nodes[Number(e.to.slice(1))]!;
        expect(to.scope!.step! - from.scope!.step!).toBe(1);
        expect(['tanh', 'add', 'mul']).toContain(from.op);
      }
      const styled = edges(toDot(g, noFold)).filter((e) => e.attrs.includes('class="recurrent"'));
      expect(styled.length).toBe(recurrent.length);
      for (const e of styled) expect(e.attrs).toMatch(/color="#c62828", penwidth=2\.2/);
    }
  });

  it('does not take a weight shared by every step (W transposed once, in step 0) for state', () => {
    // The plain step loop (hoist 'never'): there both Wᵀ are built in step 0 and read by every step.
    // Hoisted, they are built before the loop, outside every step (checked below).
    const g = unroll(getBuiltinCell('rnn_tanh'), { ...sizes, steps: 4, hoist: 'never' });
    const dot = toDot(g, noFold);
    const transposes = g.nodes.filter((n) => n.op === 'transpose').map((n) => `n${n.id}`);
    expect(transposes.length).toBe(2);
    const fromTransposes = edges(dot).filter((e) => transposes.includes(e.from));
    expect(fromTransposes.length).toBe(8);
    expect(fromTransposes.filter((e) => e.attrs.includes('recurrent'))).toEqual([]);
    expect(fromTransposes.filter((e) => e.attrs.includes('class="cross-step"')).length).toBe(6);
    const hoisted = graphOf('rnn_tanh', 4);
    const outside = hoisted.nodes.filter((n) => n.op === 'transpose');
    expect(outside.map((n) => n.scope?.step)).toEqual([undefined, undefined]);
    const view = buildView(hoisted, resolveDotOptions(noFold));
    expect(view.edges.filter((e) => e.cls === 'recurrent' && outside.some((n) => e.from === `n${n.id}`))).toEqual([]);
  });
});

describe('toDot: gradient graphs', () => {
  it('marks every gradient node and keeps forward nodes apart', () => {
    const g = cellGradGraph(graphOf('gru', 3));
    const dot = toDot(g, noFold);
    const drawn = nodes(dot);
    const backward = [...drawn].filter(([, a]) => a.includes('class="backward"'));
    const forward = [...drawn].filter(([, a]) => a.includes('class="forward"'));
    expect(backward.length).toBeGreaterThan(50);
    expect(forward.length).toBeGreaterThan(30);
    for (const [key, attrs] of backward) {
      expect(attrs, key).toContain('shape="octagon"');
      expect(attrs).toContain('fillcolor="#fde3c8"');
    }
    for (const n of g.nodes) {
      if (n.scope?.phase === 'backward') expect(drawn.get(`n${n.id}`), `%${n.id}`).toContain('class="backward"');
    }
    expect(toDot(graphOf('gru', 3), noFold)).not.toContain('class="backward"');
    const steps = clusters(dot)
      .filter((c) => c.label.endsWith('· backward'))
      .map((c) => c.label);
    expect(steps.sort()).toEqual(['step 0 · backward', 'step 1 · backward', 'step 2 · backward']);
  });

  it('draws the backward recurrence from step t+1 down to step t', () => {
    const g = cellGradGraph(graphOf('rnn_tanh', 4));
    const view = buildView(g, resolveDotOptions(noFold));
    const back = view.edges.filter((e) => e.cls === 'recurrent' && g.nodes[Number(e.to.slice(1))]!.scope?.phase === 'backward');
    expect(back.length).toBeGreaterThanOrEqual(3);
    for (const e of back) {
      const from = g.nodes[Number(e.from.slice(1))]!;
      const to = g.nodes[Number(e.to.slice(1))]!;
      expect(from.scope!.step! - to.scope!.step!).toBe(1);
    }
  });
});

describe('toDot: readability of large graphs', () => {
  it('folds the middle steps into one "steps a..b" node and keeps the first k and the last', () => {
    const g = graphOf('lstm', 12);
    const dot = toDot(g, { firstSteps: 2 });
    expect(clusters(dot).map((c) => c.label)).toEqual(['step 0', 'step 1', 'step 11']);
    const fold = nodes(dot).get('fold_l0_forward')!;
    expect(fold).toContain('class="fold"');
    expect(fold).toMatch(/label="steps 2\.\.10\\n\(9 steps folded, \d+ nodes each\)\\nsame as step 1"/);
    const rec = edges(dot).filter((e) => e.attrs.includes('recurrent'));
    expect(rec.filter((e) => e.to === 'fold_l0_forward').length).toBe(2);
    expect(rec.filter((e) => e.from === 'fold_l0_forward').length).toBe(2);
    const drawn = [...nodes(dot).keys()].filter((k) => /^n\d+$/.test(k)).length;
    const folded = Number(/\((\d+) nodes folded\)/.exec(dot)![1]);
    expect(drawn + folded).toBe(g.nodes.length);
    const concat = g.nodes.find((n) => n.op === 'concat')!;
    expect(concat.inputs).toHaveLength(12);
    expect(
      edges(dot)
        .filter((e) => e.to === `n${concat.id}`)
        .map((e) => e.from),
    ).toHaveLength(4);
    expect(edges(dot).some((e) => e.from === 'fold_l0_forward' && e.to === `n${concat.id}`)).toBe(true);
    const three = toDot(g, { firstSteps: 3 });
    expect(clusters(three).map((c) => c.label)).toEqual(['step 0', 'step 1', 'step 2', 'step 11']);
    expect(toDot(graphOf('lstm', 4))).not.toContain('fold_');
  });

  it('keeps at most maxNodes nodes and says how many more there are', () => {
    const g = cellGradGraph(graphOf('gru', 4));
    const dot = toDot(g, { collapseSteps: false, maxNodes: 25 });
    const drawn = [...nodes(dot).keys()];
    expect(drawn.filter((k) => /^n\d+$/.test(k)).length).toBe(25);
    const more = nodes(dot).get('more')!;
    expect(more).toContain(`label="${g.nodes.length - 25} more nodes\\n(node budget 25)"`);
    expect(more).toContain('class="budget"');
    expect(drawn.filter((k) => k.startsWith('out')).length).toBe(g.outputs.length);
    for (const e of edges(dot)) {
      expect(drawn, `${e.from} -> ${e.to}`).toContain(e.from);
      expect(drawn).toContain(e.to);
    }
    expect(dot).toMatch(/label="\(\d+ nodes over budget\)"/);
    expect(toDot(g, { collapseSteps: false })).not.toContain('more [');
  });

  it('rejects a nonsensical budget or fold size', () => {
    expect(() => toDot(graphOf('gru', 2), { maxNodes: 0 })).toThrow(/maxNodes must be a positive integer/);
    expect(() => toDot(graphOf('gru', 2), { firstSteps: 1.5 })).toThrow(/firstSteps must be a positive integer/);
  });
});
