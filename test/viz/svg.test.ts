// SVG through Graphviz in WebAssembly: a real document whose nodes carry their DOT names as titles
// and whose classes (recurrent edges, gradient nodes, clusters, folds) survive into the SVG.
import { describe, expect, it } from 'vitest';
import { getBuiltinCell, unroll } from '@cellgrad/cells';
import { dotToSvg, toSvg } from '@cellgrad/viz';
import { cellGradGraph } from '../../packages/cli/src/graph-source.js';

const sizes = { input: 3, hidden: 4, batch: 2 };

describe('toSvg', () => {
  it('lays out an unrolled cell: node titles, step clusters, recurrent edges', async () => {
    const g = unroll(getBuiltinCell('gru'), { ...sizes, steps: 3 });
    const svg = await toSvg(g, { title: 'gru, 3 steps' });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    for (const n of g.nodes) expect(svg).toContain(`<title>n${n.id}</title>`);
    expect(svg).toContain('<title>out0</title>');
    expect(svg.match(/<g id="clust\d+" class="cluster step"/g)).toHaveLength(3);
    expect(svg.match(/class="edge recurrent"/g)).toHaveLength(4);
    expect(svg).toContain('>gru, 3 steps</text>');
    expect(svg).toMatch(/<text[^>]*>step 2<\/text>/);
  });

  it('keeps gradient nodes, folds and the budget marker recognisable', async () => {
    const svg = await toSvg(cellGradGraph(unroll(getBuiltinCell('rnn_tanh'), { ...sizes, steps: 8 })), { maxNodes: 60 });
    expect(svg).toMatch(/class="node backward"/);
    expect(svg).toMatch(/class="node forward"/);
    expect(svg).toMatch(/class="node fold"/);
    expect(svg).toMatch(/<g id="node\d+" class="node budget">\s*<title>more<\/title>/);
    expect(svg).toMatch(/<text[^>]*>\d+ more nodes<\/text>/);
  });

  it("reports invalid DOT with Graphviz's message", async () => {
    await expect(dotToSvg('digraph { a -> }')).rejects.toThrow(/Graphviz could not render the graph: .*syntax error/i);
  });
});
