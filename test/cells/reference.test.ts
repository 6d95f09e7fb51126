// The built-in cells against the PyTorch reference vectors in ../shared/reference, and the loader's
// and checker's error reporting.
import { readFileSync, readdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { builtinCells, checkReference } from '@cellgrad/cells';
import { checkReferenceFile, loadReference } from '@cellgrad/cells/node';
import { referenceDir, thrown } from './helpers.js';

const SUPPORTED = [
  'rnn_tanh',
  'rnn_relu',
  'lstm',
  'gru',
  'rnn_tanh_2layer',
  'lstm_2layer',
  'gru_2layer',
  'jordan',
  'lstm_no_forget',
  'lstm_peephole',
  'lstm_hard',
  'gru_cho',
];
const file = (name: string) => path.join(referenceDir, `${name}.json`);
const raw = (name: string) => JSON.parse(readFileSync(file(name), 'utf8')) as { cases: Record<string, any>[] };

describe('reference vectors', () => {
  it.each(SUPPORTED)('%s matches PyTorch to 1e-9 (outputs, states, loss, every gradient)', (name) => {
    const ref = loadReference(file(name));
    expect(ref.cases.length).toBeGreaterThan(0);
    for (const c of ref.cases) {
      const report = checkReference(c, { tolerance: 1e-9 });
      expect(report.passed, JSON.stringify(report.worst)).toBe(true);
      expect(report.worst.maxRelError).toBeLessThan(1e-9);
      const names = report.comparisons.map((t) => t.name);
      const states = Object.keys(c.inputs)
        .filter((k) => k !== 'x')
        .map((k) => `${k.slice(0, -1)}_T`);
      const grads = [...Object.keys(c.params), ...Object.keys(c.inputs)].map((k) => `grad:${k}`);
      expect(new Set(names)).toEqual(new Set(['out', ...states, 'loss', ...grads]));
      for (const t of report.comparisons) expect(t.refMax, t.name).toBeGreaterThan(0);
    }
  });

  it('every reference file names a built-in cell and passes; an unknown cell fails clearly', () => {
    const files = readdirSync(referenceDir).filter((f) => f.endsWith('.json'));
    expect(files.map((f) => f.slice(0, -5)).sort()).toEqual([...SUPPORTED].sort());
    for (const f of files) {
      const ref = loadReference(path.join(referenceDir, f));
      for (const c of ref.cases) {
        expect(c.cell in builtinCells, f).toBe(true);
        const e = thrown(() => checkReference({ ...c, cell: 'lstm_coupled' }));
        expect(e.message).toContain(`no cell named 'lstm_coupled'`);
        expect(e.message).toContain('known cells: rnn_tanh, rnn_relu, lstm, gru, irnn');
        expect(e.message).toContain(f);
      }
    }
  });

  it('checkReferenceFile accepts a path, a file URL or parsed JSON', () => {
    expect(checkReferenceFile(file('gru')).map((r) => r.passed)).toEqual([true]);
    expect(checkReferenceFile(pathToFileURL(file('gru'))).map((r) => r.passed)).toEqual([true]);
    expect(checkReferenceFile(raw('gru')).map((r) => r.passed)).toEqual([true]);
  });

  it.each([
    ['lstm', 'grads', 'weight_hh_l0', 'grad:weight_hh_l0'],
    ['gru_2layer', 'grads', 'bias_hh_l1', 'grad:bias_hh_l1'],
    ['rnn_tanh', 'grads', 'h0', 'grad:h0'],
    ['lstm', 'c_T', undefined, 'c_T'],
  ] as const)('a corrupted value in %s (%s %s) fails, and the report points at it', (name, where, key, reported) => {
    const json = raw(name);
    const expected = json.cases[0]!.expected;
    const target = where === 'grads' ? expected.grads[key!] : expected[where];
    const i = 3;
    target.data[i] += 1e-7 * Math.max(...target.data.map(Math.abs));
    const report = checkReference(loadReference(json).cases[0]!);
    expect(report.passed).toBe(false);
    expect(report.worst.name).toBe(reported);
    expect(report.worst.maxRelError).toBeGreaterThan(5e-8);
    expect(report.worst.maxRelError).toBeLessThan(2e-7);
    expect(report.comparisons.filter((t) => !t.passed).map((t) => t.name)).toEqual([reported]);
  });

  it('a corrupted loss fails; an exact tolerance of 0 is honoured', () => {
    const json = raw('rnn_relu');
    json.cases[0]!.expected.loss += 1e-6;
    const report = checkReference(loadReference(json).cases[0]!);
    expect(report.passed).toBe(false);
    expect(report.worst.name).toBe('loss');
    expect(checkReference(loadReference(file('rnn_tanh')).cases[0]!, { tolerance: 0 }).passed).toBe(false);
  });

  it('a parameter the cell does not have, or a missing one, is a clear error', () => {
    const json = raw('rnn_tanh');
    const p = json.cases[0]!.params;
    p.weight_xx_l0 = p.weight_ih_l0;
    json.cases[0]!.expected.grads.weight_xx_l0 = json.cases[0]!.expected.grads.weight_ih_l0;
    expect(thrown(() => checkReference(loadReference(json).cases[0]!)).message).toMatch(
      /parameter 'weight_xx_l0' is not a parameter of cell 'rnn_tanh' \(its parameters: weight_ih, weight_hh, bias_ih, bias_hh\)/,
    );
    delete p.weight_xx_l0;
    delete p.bias_hh_l0;
    expect(thrown(() => checkReference(loadReference(json).cases[0]!)).message).toContain('no value for parameter(s) bias_hh');
  });

  it('a case can name its own cells', () => {
    const c = loadReference(file('rnn_relu')).cases[0]!;
    const report = checkReference({ ...c, cell: 'my_relu' }, { cells: { my_relu: builtinCells.rnn_relu! } });
    expect(report.passed).toBe(true);
    // The relu cell is not the tanh cell: the check must notice.
    expect(checkReference({ ...c, cell: 'rnn_tanh' }).passed).toBe(false);
  });
});

describe('loadReference validation', () => {
  const bad = (mutate: (j: any) => void) => {
    const json = raw('lstm');
    mutate(json);
    return thrown(() => loadReference(json, { source: 'lstm-bad.json' }));
  };

  it.each([
    ['no cases', (j: any) => delete j.cases, /'lstm-bad.json': field 'cases': expected a non-empty array of cases/],
    [
      'data too short',
      (j: any) => j.cases[0].params.weight_ih_l0.data.pop(),
      /field 'cases\[0\].params.weight_ih_l0.data': expected 48 numbers for shape \[16,3\], got 47/,
    ],
    ['non-numeric data', (j: any) => (j.cases[0].inputs.x.data[2] = 'a'), /field 'cases\[0\].inputs.x.data\[2\]': expected a finite number, got "a"/],
    [
      'bad shape',
      (j: any) => (j.cases[0].params.bias_ih_l0.shape = [16.5]),
      /field 'cases\[0\].params.bias_ih_l0.shape': expected an array of non-negative integers/,
    ],
    ['x of the wrong shape', (j: any) => (j.cases[0].steps = 4), /field 'cases\[0\].inputs.x': expected shape \[steps=4, batch=2, input=3\], got \[5,2,3\]/],
    ['missing gradient', (j: any) => delete j.cases[0].expected.grads.c0, /field 'cases\[0\].expected.grads.c0': missing/],
    ['missing final state', (j: any) => delete j.cases[0].expected.c_T, /field 'cases\[0\].expected.c_T': missing/],
    ['missing loss weight', (j: any) => delete j.cases[0].loss_weights.R_c, /field 'cases\[0\].loss_weights.R_c': missing/],
    ['bad size', (j: any) => (j.cases[0].hidden_size = 0), /field 'cases\[0\].hidden_size': expected a positive integer, got 0/],
    ['bad loss', (j: any) => (j.cases[0].expected.loss = 'x'), /field 'cases\[0\].expected.loss': expected a finite number/],
    ['no cell', (j: any) => delete j.cases[0].cell, /field 'cases\[0\].cell': expected a cell name/],
  ])('%s', (_, mutate, message) => {
    const e = bad(mutate);
    expect(e.kind).toBe('usage');
    expect(e.message).toMatch(message);
  });

  it('names an unreadable or malformed file', () => {
    const missing = path.join(referenceDir, 'no-such-file.json');
    expect(thrown(() => loadReference(missing)).message).toContain(`reference file '${missing}': cannot read it`);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cellgrad-ref-'));
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{"cases": [');
    expect(thrown(() => loadReference(broken)).message).toContain(`reference file '${broken}': not valid JSON`);
  });

  it('loads tensors as float64 NDArrays with the file fields', () => {
    const ref = loadReference(file('lstm_2layer'));
    expect(ref.generator).toMatch(/PyTorch/);
    const c = ref.cases[0]!;
    expect(c.cell).toBe('lstm');
    expect(c.layers).toBe(2);
    expect(c.params.weight_ih_l1!.shape).toEqual([16, 4]);
    expect(c.params.weight_ih_l1!.data).toBeInstanceOf(Float64Array);
    expect(Object.keys(c.expected.tensors).sort()).toEqual(['c_T', 'h_T', 'out']);
    expect(typeof c.expected.loss).toBe('number');
    expect(c.source).toBe(`${file('lstm_2layer')}, case 0`);
  });
});
