// `cellgrad viz` and `cellgrad report`, run as a user runs them: text to stdout, DOT and SVG files
// (format from the extension), one file per optimisation pass, a report from JSON data or a cell,
// and one-line errors for bad input.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellgrad, tempDir } from '../cli/helpers.js';
import { sampleReportData } from './sample-data.js';

describe('cellgrad viz', () => {
  it('prints the folded text form by default', async () => {
    const r = await cellgrad(['viz', 'lstm', '--steps', '6']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^# lstm, 6 steps\n/);
    expect(r.stdout).toMatch(/\n# steps 2\.\.4 same as step 1 \(\d+ nodes each, %\d+\.\.%\d+ folded\)\n/);
    expect(r.stdout).toMatch(/\n%\d+:f32\[2,16\] = matmul %\d+ %\d+ {2}# lstm layer 0 t=5\n/);
    const full = await cellgrad(['viz', 'lstm', '--steps', '6', '--no-fold']);
    expect(full.stdout).not.toContain('same as');
  });

  it('writes DOT and SVG, choosing the format from the file name', async () => {
    const dir = tempDir('cellgrad-viz-');
    const dot = path.join(dir, 'gru.dot');
    const svg = path.join(dir, 'nested', 'gru.svg');
    const a = await cellgrad(['viz', 'gru', '--steps', '4', '--grad', '--out', dot]);
    expect(a.code).toBe(0);
    expect(a.stderr).toMatch(/^wrote .*gru\.dot \(dot, \d+ nodes\)\n$/);
    const text = readFileSync(dot, 'utf8');
    expect(text).toMatch(/^digraph cellgrad \{/);
    expect(text).toContain('label="gru gradient, 4 steps');
    expect(text).toContain('class="backward"');
    expect(text).toContain('class="recurrent"');
    // 60 nodes: the hoisted x·W and its gate slices come before step 0, so the budget reaches the fold.
    const b = await cellgrad(['viz', 'gru', '--steps', '12', '--max-nodes', '60', '--out', svg]);
    expect(b.code).toBe(0);
    const drawn = readFileSync(svg, 'utf8');
    expect(drawn.startsWith('<svg')).toBe(true);
    expect(drawn).toContain('<title>more</title>');
    expect(drawn).toMatch(/class="node fold"/);
  });

  it("draws a cell from a user's .ts file", async () => {
    const r = await cellgrad(['viz', 'examples/cells/minimal-gated-unit.ts', '--steps', '3', '--format', 'dot']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^digraph cellgrad \{/);
    expect(r.stdout).toContain('label="mgu, 3 steps"');
    expect(r.stdout.match(/subgraph cluster_l0_forward_\d+ \{/g)).toHaveLength(3);
    expect(r.stdout).toContain('class="recurrent"');
  });

  it('draws the graph before and after each optimisation pass, one file each', async () => {
    const dir = tempDir('cellgrad-viz-');
    const r = await cellgrad(['viz', 'gru', '--steps', '3', '--passes', '--out', path.join(dir, 'gru.dot')]);
    expect(r.code).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files[0]).toBe('gru.0-before-optimisation.dot');
    expect(files.length).toBeGreaterThan(1);
    for (const f of files.slice(1)) expect(f).toMatch(/^gru\.\d+-after-[a-z-]+-round-\d+\.dot$/);
    expect(readFileSync(path.join(dir, files[1]!), 'utf8')).toMatch(/label="gru, 3 steps: after [a-z-]+ \(round \d+\)/);
  });

  it('rejects SVG to the terminal and unknown formats', async () => {
    const a = await cellgrad(['viz', 'gru', '--format', 'svg']);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe('cellgrad: --format svg needs --out <file.svg>\n');
    const b = await cellgrad(['viz', 'gru', '--format', 'png']);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/^cellgrad: .*expected one of text, dot, svg/);
  });
});

describe('cellgrad report', () => {
  it('renders report data from JSON', async () => {
    const dir = tempDir('cellgrad-report-');
    const data = path.join(dir, 'results.json');
    writeFileSync(data, JSON.stringify(sampleReportData()));
    const out = path.join(dir, 'report.html');
    const r = await cellgrad(['report', '--data', data, '--out', out]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(`wrote ${out}\n`);
    const html = readFileSync(out, 'utf8');
    for (const id of ['graphs', 'loss', 'flow', 'gradcheck', 'bench']) expect(html).toContain(`<section id="${id}">`);
    expect(html).toContain('<title>cellgrad sample report</title>');
  });

  it('reports on a cell: its graphs and its gradient check', async () => {
    const out = path.join(tempDir('cellgrad-report-'), 'rnn.html');
    const r = await cellgrad(['report', 'rnn_tanh', '--steps', '3', '--out', out, '--title', 'rnn_tanh at a glance']);
    expect(r.code).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('<title>rnn_tanh at a glance</title>');
    expect(html).toContain('<h3>rnn_tanh: unrolled over 3 steps</h3>');
    expect(html).toContain('<h3>rnn_tanh: gradient graph</h3>');
    expect(html).toContain('<h3>rnn_tanh: before optimisation</h3>');
    expect(html).toContain('6 of 6 gradient checks passed');
  });

  it('names a malformed data file and a missing argument in one line', async () => {
    const dir = tempDir('cellgrad-report-');
    const data = path.join(dir, 'bad.json');
    writeFileSync(data, JSON.stringify({ lossCurves: [{ name: 'a', points: [[0]] }] }));
    const out = path.join(dir, 'r.html');
    const a = await cellgrad(['report', '--data', data, '--out', out]);
    expect(a.code).toBe(2);
    expect(a.stderr).toBe(`cellgrad: ${data}: report data: lossCurves[0].points[0]: expected [iteration, loss]\n`);
    expect(existsSync(out)).toBe(false);
    const b = await cellgrad(['report', '--out', out]);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe('cellgrad: report needs a cell, --data <results.json>, or both\n');
  });
});
