/**
 * Every package reports bad input as a `CellgradError` with a kind (issue 13): the visualisation and
 * ONNX packages used to throw plain `Error`/`RangeError`; cells re-implemented graph's dtype check
 * (now `checkDType`: kind `dtype`); the CLI's own usage errors and a cell file that fails to load
 * are CellgradErrors too. The CLI prints such an error as one line and exits 2.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { CellgradError, type ErrorKind } from '@cellgrad/graph';
import { getBuiltinCell, initParams, unroll } from '@cellgrad/cells';
import { reorderGates } from '@cellgrad/onnx';
import { checkReportData, dotToSvg, renderReport, ReportDataError, sanitizeSvg, toDot } from '@cellgrad/viz';
import { CliError, usage } from '../../packages/cli/src/errors.js';
import { main } from '../../packages/cli/src/main.js';
import { tempDir } from '../cli/helpers.js';

/** The error `f` throws or rejects with. */
async function caught(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

const gru = getBuiltinCell('gru');
const graph = unroll(gru, { input: 2, hidden: 3, batch: 1, steps: 2 });

describe('bad input is a CellgradError with a kind, in every package', () => {
  it.each<[string, () => unknown, ErrorKind, RegExp]>([
    ['viz toDot maxNodes 0', () => toDot(graph, { maxNodes: 0 }), 'usage', /^viz: maxNodes must be a positive integer, got 0$/],
    ['viz toDot firstSteps 1.5', () => toDot(graph, { firstSteps: 1.5 }), 'usage', /^viz: firstSteps must be a positive integer, got 1.5$/],
    ['viz dotToSvg of bad DOT', () => dotToSvg('digraph { a -> }'), 'usage', /^viz: Graphviz could not render the graph: .*syntax error/i],
    ['viz sanitizeSvg without <svg>', () => sanitizeSvg('<p>no drawing</p>'), 'usage', /holds no <svg> element/],
    [
      'viz report graph whose svg is not one',
      () => renderReport({ graphs: [{ title: 'T', svg: '<p>x</p>' }] }),
      'usage',
      /^viz: report graph 'T': 'svg' holds no <svg>/,
    ],
    [
      'viz checkReportData',
      () => checkReportData({ lossCurves: [{ name: 'a', points: [[1]] }] }),
      'usage',
      /^report data: lossCurves\[0\]\.points\[0\]: expected/,
    ],
    ['onnx reorderGates', () => reorderGates([1, 2, 3, 4, 5], [0, 1], 1), 'shape', /^reorderGates: 5 values do not split into 2 blocks of rows of 1$/],
    [
      'cells unroll dtype',
      () => unroll(gru, { input: 2, hidden: 3, batch: 1, steps: 2, dtype: 'int8' as never }),
      'dtype',
      /^unroll\(cell 'gru'\): unknown dtype "int8"/,
    ],
    [
      'cells initParams dtype',
      () => initParams(gru, { input: 2, hidden: 3 }, { dtype: 'float16' as never }),
      'dtype',
      /^initParams\(cell 'gru'\): unknown dtype "float16"/,
    ],
    ['cli usage', () => usage('--x: bad'), 'usage', /^--x: bad$/],
  ])('%s', async (_, f, kind, message) => {
    const e = await caught(f);
    expect(e).toBeInstanceOf(CellgradError);
    expect((e as CellgradError).kind).toBe(kind);
    expect((e as Error).message).toMatch(message);
  });

  it('the subclasses stay recognisable', async () => {
    expect(await caught(() => checkReportData({ title: 3 }))).toBeInstanceOf(ReportDataError);
    expect(await caught(() => usage('x'))).toBeInstanceOf(CliError);
  });
});

describe('the CLI prints a package error as one line, exit 2', () => {
  it('report --data whose DOT Graphviz cannot render', async () => {
    const dir = tempDir('cellgrad-kinds-');
    const data = path.join(dir, 'data.json');
    writeFileSync(data, JSON.stringify({ graphs: [{ title: 'bad', dot: 'digraph { a -> }' }] }));
    let stderr = '';
    const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
    let code: number;
    try {
      code = await main(['report', '--data', data, '--out', path.join(dir, 'r.html')]);
    } finally {
      err.mockRestore();
    }
    expect(code).toBe(2);
    expect(stderr).toMatch(/^cellgrad: viz: Graphviz could not render the graph: [^\n]*syntax error[^\n]*\n$/i);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});
