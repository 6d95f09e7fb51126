// The extended PyTorch reference vectors (../shared/reference-extended, copied to
// test/fixtures/reference-extended): bidirectional stacks, packed (variable-length) batches, LSTM
// projection, batch-first layout and the layer-normalised LSTM, each to 1e-9 relative on outputs,
// states, loss and every gradient; and the loader's errors for the new fields.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkReference } from '@cellgrad/cells';
import { loadReference } from '@cellgrad/cells/node';
import { referenceExtendedDir, thrown } from './helpers.js';

const FILES = [
  'rnn_tanh_bidir',
  'gru_bidir',
  'lstm_bidir_2layer',
  'rnn_tanh_packed',
  'lstm_packed',
  'gru_packed_2layer',
  'lstm_bidir_packed',
  'lstm_proj',
  'gru_batch_first',
  'lstm_layernorm',
];
const file = (name: string) => path.join(referenceExtendedDir, `${name}.json`);
const raw = (name: string) => JSON.parse(readFileSync(file(name), 'utf8')) as { cases: Record<string, any>[] };

describe('extended reference vectors', () => {
  it('the folder holds exactly the ten files', () => {
    expect(
      readdirSync(referenceExtendedDir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.slice(0, -5))
        .sort(),
    ).toEqual([...FILES].sort());
  });

  it.each(FILES)('%s matches PyTorch to 1e-9 (outputs, states, loss, every gradient including dL/dx)', (name) => {
    for (const c of loadReference(file(name)).cases) {
      const report = checkReference(c, { tolerance: 1e-9 });
      expect(report.passed, JSON.stringify(report.worst)).toBe(true);
      const states = Object.keys(c.inputs)
        .filter((k) => k !== 'x' && k !== 'lengths')
        .map((k) => `${k.slice(0, -1)}_T`);
      const grads = [...Object.keys(c.params), ...Object.keys(c.inputs).filter((k) => k !== 'lengths')].map((k) => `grad:${k}`);
      expect(new Set(report.comparisons.map((t) => t.name))).toEqual(new Set(['out', ...states, 'loss', ...grads]));
      expect(report.comparisons.map((t) => t.name)).toContain('grad:x');
    }
  });

  it.each(['rnn_tanh_packed', 'lstm_packed', 'gru_packed_2layer', 'lstm_bidir_packed'])(
    '%s fails when its lengths are ignored (the mask is what matches)',
    (name) => {
      const [c] = loadReference(file(name)).cases;
      const { lengths: _dropped, ...inputs } = c!.inputs;
      const { lengths: _field, ...unpacked } = c!;
      const report = checkReference({ ...unpacked, inputs }, { tolerance: 1e-9 });
      expect(report.passed).toBe(false);
      expect(report.worst.maxRelError).toBeGreaterThan(1e-3);
    },
  );

  it('the loader reads the new fields', () => {
    const packed = loadReference(file('lstm_bidir_packed')).cases[0]!;
    expect(packed).toMatchObject({ bidirectional: true, batch_first: false, lengths: [5, 6, 2] });
    expect(loadReference(file('lstm_proj')).cases[0]!.proj_size).toBe(2);
    expect(loadReference(file('gru_batch_first')).cases[0]!.batch_first).toBe(true);
  });

  it.each([
    ['a length of 0', [0, 5, 1], `field 'cases[0].lengths[0]': expected an integer in 1..5 (steps), got 0`],
    ['a length above steps', [3, 6, 1], `field 'cases[0].lengths[1]': expected an integer in 1..5 (steps), got 6`],
    ['a fractional length', [3, 4.5, 1], `field 'cases[0].lengths[1]': expected an integer in 1..5 (steps), got 4.5`],
  ] as const)('a bad lengths field (%s) is a clear error', (_what, lengths, message) => {
    const json = raw('gru_packed_2layer');
    json.cases[0]!.lengths = lengths;
    expect(thrown(() => loadReference(json)).message).toContain(message);
  });

  it('lengths that disagree with inputs.lengths, and a batch-first x stored time-major, are errors', () => {
    const json = raw('gru_packed_2layer');
    json.cases[0]!.inputs.lengths.data = [3, 5, 2];
    expect(thrown(() => loadReference(json)).message).toContain(`field 'cases[0].inputs.lengths': differs from field 'lengths' at index 2`);
    const bf = raw('gru_batch_first');
    bf.cases[0]!.batch_first = false;
    expect(thrown(() => loadReference(bf)).message).toContain(`field 'cases[0].inputs.x': expected shape [steps=5, batch=2, input=3], got [2,5,3]`);
  });
});
