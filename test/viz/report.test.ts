// The report as a file: self-contained (the chart library inlined, no URL to fetch), sections only for
// the data given, graphs with distinct ids, text escaped, tables right, and bad data named precisely.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { getBuiltinCell, unroll } from '@cellgrad/cells';
import { optimizeWithTrace } from '@cellgrad/graph';
import { checkReportData, gradcheckRows, passGraphs, renderReport, writeReport, type ReportData } from '@cellgrad/viz';
import { sampleReportData } from './sample-data.js';

const sectionsOf = (html: string): string[] => [...html.matchAll(/<section id="([^"]+)">/g)].map((m) => m[1]!);

describe('renderReport', () => {
  it('writes one self-contained file with every section of the data', async () => {
    const file = await writeReport(path.join(os.tmpdir(), `cellgrad-report-test-${process.pid}`, 'sub', 'r.html'), sampleReportData());
    const html = readFileSync(file, 'utf8');
    expect(sectionsOf(html)).toEqual(['graphs', 'loss', 'flow', 'gradcheck', 'bench']);
    expect(html).toContain('Chart.js v4');
    expect(html).toContain('chartjs-chart-matrix');
    expect(html).not.toMatch(/<script[^>]+src=/);
    expect(html).not.toMatch(/<link[^>]+href="(?!data:)/);
    expect(html).not.toMatch(/sourceMappingURL/);
    expect(html.match(/<script>/g)!.length).toBe(4);
    const markup = html.replace(/<script>.*?<\/script>/gs, '');
    const ids = [...markup.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThan(500);
    expect(markup.match(/data-steps="toggle"/g)).toHaveLength(1);
    expect(new Set(ids).size).toBe(ids.length);
    expect(html.match(/<div class="graph-view" data-variant="(folded|only)"><svg/g)).toHaveLength(sampleReportData().graphs!.length);
    expect(html.match(/<div class="graph-view" data-variant="folded">/g)).toHaveLength(1);
    expect(html).toMatch(
      /<figure class="graph-card" id="graph-1">[\s\S]*data-steps="toggle"[\s\S]*data-variant="folded"><svg[\s\S]*<title>fold_l0_forward<\/title>[\s\S]*<div class="graph-view" data-variant="all" hidden><svg[\s\S]*<\/figure>/,
    );
    const data = JSON.parse(/<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!);
    expect(data.lossCurves.map((c: { name: string }) => c.name)).toEqual(['gru', 'rnn_tanh']);
    expect(data.flow[0].byIteration).toHaveLength(12);
  });

  it('leaves out the sections it has no data for', async () => {
    const html = await renderReport({ bench: [{ name: 'a', ms: 1.23456 }] });
    expect(sectionsOf(html)).toEqual(['bench']);
    expect(html).toContain('<title>cellgrad report</title>');
    expect(html).toContain('<td class="num">1.235</td>');
    expect(html).not.toContain('id="loss-chart"');
    expect(sectionsOf(await renderReport({ lossCurves: [{ name: 'x', points: [[0, 1]] }] }))).toEqual(['loss']);
  });

  it('escapes text and keeps embedded JSON from closing its script tag', async () => {
    const html = await renderReport({
      title: '<b>mine</b>',
      lossCurves: [
        {
          name: '</script><script>alert(1)</script>',
          points: [
            [0, 1],
            [1, 0.5],
          ],
        },
      ],
      bench: [{ name: '<i>x</i>', note: 'a & b' }],
    });
    expect(html).toContain('<title>&lt;b&gt;mine&lt;/b&gt;</title>');
    expect(html).not.toContain('<script>alert(1)');
    expect(html).toContain('\\u003c/script>\\u003cscript>alert(1)');
    expect(html).toContain('<td>&lt;i&gt;x&lt;/i&gt;</td><td>a &amp; b</td>');
  });

  it('draws graphs given as a graph, as DOT or as SVG', async () => {
    const html = await renderReport({
      graphs: [
        { title: 'g', graph: unroll(getBuiltinCell('rnn_tanh'), { input: 2, hidden: 3, batch: 1, steps: 2 }) },
        { title: 'd', dot: 'digraph { alpha -> beta }' },
        {
          title: 's',
          svg: '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><g id="only" class="node"><title>x</title></g></svg>',
        },
      ],
    });
    expect(html).toContain('<title>alpha</title>');
    expect(html).toContain('<g id="g2-only" class="node">');
    expect(html).not.toContain('<?xml');
    expect(html.match(/class="graph-card"/g)).toHaveLength(3);
  });
});

describe('report data', () => {
  it('expands whole gradcheck reports into rows', () => {
    const rows = gradcheckRows(sampleReportData().gradcheck!);
    expect(rows.map((r) => r.input)).toEqual(['x', 'h0', 'weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']);
    expect(rows.every((r) => r.cell === 'rnn_tanh' && r.order === 1 && r.passed && r.maxAbsError < 1e-6)).toBe(true);
    expect(rows.every((r) => /^\[\d+(,\d+)*\]( step \d)?: symbolic -?\d\.\d+(e-?\d+)? vs numeric -?\d\.\d+(e-?\d+)?$/.test(r.worst!))).toBe(true);
    expect(gradcheckRows([{ input: 'w', maxAbsError: 0.5, passed: false }])).toEqual([{ input: 'w', maxAbsError: 0.5, passed: false }]);
  });

  it('shows a graph before and after each pass that changed it', () => {
    const g = unroll(getBuiltinCell('gru'), { input: 3, hidden: 4, batch: 2, steps: 3 });
    const trace = optimizeWithTrace(g);
    const graphs = passGraphs(trace, { name: 'gru' });
    expect(graphs[0]).toMatchObject({ title: 'gru: before optimisation', caption: `${g.nodes.length} nodes`, graph: g });
    const changed = trace.steps.filter((s) => s.changed);
    expect(graphs.slice(1).map((r) => r.title)).toEqual(changed.map((s) => `gru: after ${s.pass} (round ${s.round})`));
    expect(graphs.at(-1)!.graph).toBe(trace.graph);
    expect(passGraphs(trace, { unchanged: true })).toHaveLength(trace.steps.length + 1);
  });

  it('names the first malformed field', async () => {
    const bad: [unknown, RegExp][] = [
      [[], /the data: expected an object/],
      [
        {
          lossCurves: [
            { name: 'a', points: [[0, 1]] },
            { name: 'b', points: [[0, 1], [1]] },
          ],
        },
        /lossCurves\[1\]\.points\[1\]: expected \[iteration, loss\]/,
      ],
      [{ flow: [{ name: 'f', norms: [1, 'x'] }] }, /flow\[0\]\.norms: expected an array of numbers/],
      [{ flow: [{ name: 'f', norms: [1], byIteration: [[1]], iterations: [0, 1] }] }, /flow\[0\]\.iterations: expected one number per row/],
      [{ graphs: [{ title: 't' }] }, /graphs\[0\]: expected exactly one of graph, dot, svg \(got none\)/],
      [{ graphs: [{ title: 't', dot: 'x', svg: 'y' }] }, /got dot, svg/],
      [
        { gradcheck: [{ cell: 'c', report: { orders: [{ order: 1, inputs: [{ name: 'x' }] }] } }] },
        /gradcheck\[0\]\.report\.orders\[0\]\.inputs\[0\]: expected \{ name, maxAbsError, passed \}/,
      ],
      [{ bench: [3] }, /bench\[0\]: expected an object of columns/],
    ];
    for (const [data, message] of bad) {
      expect(() => checkReportData(data), JSON.stringify(data)).toThrow(message);
      await expect(renderReport(data as ReportData)).rejects.toThrow(/^report data: /);
    }
    expect(checkReportData(JSON.parse(JSON.stringify(sampleReportData())))).toBeTruthy();
  });
});
