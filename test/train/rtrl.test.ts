/**
 * Real-time recurrent learning: exact RTRL's gradients equal full BPTT's (float64, 1e-10) for the
 * built-in cells, stacked layers and random user cells (property test); SnAp-1 is exact where its
 * pattern loses nothing and an approximation elsewhere; online updates every k steps apply
 * ⌈T/k⌉ updates per sequence and train; UORO is unbiased (its mean over random keys approaches the
 * exact gradient); SnAp-1 and UORO learn the adding problem; the influence matrices'
 * size does not grow with T; bad options are usage errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  Trainer,
  addingTask,
  backprop,
  builtinCells,
  copyMemoryTask,
  getBuiltinCell,
  majorityTask,
  rtrlLayout,
  uoroSigns,
  type BpttSpec,
  type ModelSpec,
  type ParamValues,
  type TrainConfig,
} from '@cellgrad/cells';
import { randomKey } from '@cellgrad/graph';
import { fcParams } from '../support/fc.js';
import { randomCell, randomCellShape } from '../support/random-cell.js';
import { maxDiff, setup, smallModel } from './helpers.js';

const exec = { executor: 'interpreted', dtype: 'float64' } as const;

/** Largest |a − b| relative to the largest |a| (1 when a is all zero). */
function relDiff(a: ParamValues, b: ParamValues): number {
  let scale = 0;
  for (const v of Object.values(a)) for (const x of v) scale = Math.max(scale, Math.abs(x));
  return maxDiff(a, b) / (scale || 1);
}

function compare(spec: ModelSpec, task: Parameters<typeof setup>[1], kind: BpttSpec, seed = 1) {
  const { params, batch } = setup(spec, task, seed);
  const full = backprop(spec, { kind: 'full' }, exec).run(params, batch);
  const other = backprop(spec, kind, exec).run(params, batch);
  return { full, other, diff: maxDiff(full.grads, other.grads) };
}

describe('exact RTRL', () => {
  it('equals full BPTT to 1e-10 (float64): lstm, gru, rnn_tanh; loss at the last step and at every step; 1 and 2 layers', () => {
    const cases = [
      ['lstm', addingTask(7)],
      ['gru', copyMemoryTask(8, { symbols: 3, length: 2 })],
      ['rnn_tanh', majorityTask(6, 3)],
    ] as const;
    for (const [cell, task] of cases) {
      for (const layers of [1, 2]) {
        const spec = { ...smallModel(getBuiltinCell(cell), task, 3, 2), layers };
        const { full, other, diff } = compare(spec, task, { kind: 'rtrl' });
        expect(diff, `${cell}, ${layers} layer(s)`).toBeLessThan(1e-10);
        expect(Math.abs(other.loss - full.loss)).toBeLessThan(1e-12);
        // Not trivially equal: the gradients are far from zero.
        expect(Math.max(...Object.values(full.grads).map((g) => Math.max(...g.map(Math.abs))))).toBeGreaterThan(1e-3);
      }
    }
  });

  it('equals full BPTT compiled in float64 too', () => {
    const task = addingTask(6);
    const spec = smallModel(getBuiltinCell('lstm'), task, 3, 2);
    const { params, batch } = setup(spec, task);
    const compiled = { executor: 'compiled', dtype: 'float64' } as const;
    const full = backprop(spec, { kind: 'full' }, compiled).run(params, batch);
    const rtrl = backprop(spec, { kind: 'rtrl' }, compiled).run(params, batch);
    expect(maxDiff(full.grads, rtrl.grads)).toBeLessThan(1e-10);
  });

  it('property: equals full BPTT on random cells (built-in and random user cells), sizes and layers', () => {
    const cellArb = fc.oneof(fc.constantFrom(...Object.values(builtinCells)), randomCellShape.map(randomCell));
    fc.assert(
      fc.property(
        cellArb,
        fc.record({
          input: fc.integer({ min: 1, max: 3 }),
          hidden: fc.integer({ min: 1, max: 3 }),
          batch: fc.integer({ min: 1, max: 2 }),
          steps: fc.integer({ min: 2, max: 6 }),
          layers: fc.integer({ min: 1, max: 2 }),
          every: fc.boolean(),
          seed: fc.integer({ min: 0, max: 1000 }),
        }),
        (cell, o) => {
          const task = o.every ? copyMemoryTask(Math.max(o.steps, 3), { symbols: 2, length: 1 }) : addingTask(o.steps);
          const spec: ModelSpec = { ...smallModel(cell, task, o.hidden, o.batch), layers: o.layers };
          const { diff } = compare(spec, task, { kind: 'rtrl' }, o.seed);
          expect(diff, `${cell.name} ${JSON.stringify(o)}`).toBeLessThan(1e-10);
        },
      ),
      fcParams(25),
    );
  });
});

describe('SnAp-1', () => {
  it('equals exact RTRL when every parameter writes the whole state (one hidden unit), and approximates it otherwise', () => {
    const task = addingTask(8);
    const one = smallModel(getBuiltinCell('rnn_tanh'), task, 1, 3);
    expect(compare(one, task, { kind: 'snap1' }).diff).toBeLessThan(1e-12);
    const spec = smallModel(getBuiltinCell('lstm'), task, 4, 3);
    const { full, other } = compare(spec, task, { kind: 'snap1' });
    const rel = relDiff(full.grads, other.grads);
    expect(rel).toBeGreaterThan(1e-6); // an approximation: recurrent influence through other units is dropped
    expect(rel).toBeLessThan(0.5);
    // The readout's gradient does not go through the state: SnAp-1 has it exactly.
    expect(maxDiff({ h: full.grads.head_weight!, b: full.grads.head_bias! }, { h: other.grads.head_weight!, b: other.grads.head_bias! })).toBeLessThan(1e-12);
  });

  it('keeps one entry per parameter and state unit it writes: LSTM c and h (the output gate only h), GRU h', () => {
    const task = addingTask(10);
    const [I, H] = [task.input, 5];
    const outputGate = H * (I + H + 2); // its rows of weight_ih, weight_hh, bias_ih, bias_hh
    for (const [cell, entries] of [
      ['lstm', (P: number) => 2 * P - outputGate],
      ['gru', (P: number) => P],
    ] as const) {
      const spec = smallModel(getBuiltinCell(cell), task, H, 2);
      const m = backprop(spec, { kind: 'snap1' }, exec).memory();
      const layout = rtrlLayout(spec);
      expect(m.influence).toEqual({ rows: layout.stateSize, cols: layout.paramSize, entries: entries(layout.paramSize) });
    }
  });
});

describe('UORO', () => {
  const task = addingTask(8);
  const spec: ModelSpec = { ...smallModel(getBuiltinCell('lstm'), task, 3, 2) };
  const compiled = { executor: 'compiled', dtype: 'float64' } as const;

  it('is unbiased: the mean of its gradients over random keys approaches exact RTRL (= full BPTT), one estimate does not', () => {
    const { params, batch } = setup(spec, task);
    const full = backprop(spec, { kind: 'full' }, compiled).run(params, batch);
    const uoro = backprop(spec, { kind: 'uoro' }, compiled);
    const N = 500;
    const mean: ParamValues = Object.fromEntries(Object.entries(full.grads).map(([k, v]) => [k, new Float64Array(v.length)]));
    let single = 0;
    for (let n = 0; n < N; n++) {
      const r = uoro.run(params, batch, undefined, randomKey(n));
      expect(r.loss).toBeCloseTo(full.loss, 12); // the forward pass is exact
      if (n === 0) single = relDiff(full.grads, r.grads);
      for (const k of Object.keys(mean)) mean[k]!.forEach((_, i) => (mean[k]![i]! += r.grads[k]![i]! / N));
    }
    const averaged = relDiff(full.grads, mean);
    expect(averaged).toBeLessThan(0.05);
    expect(single).toBeGreaterThan(3 * averaged);
    // The readout's gradient does not go through the state: exact in every estimate.
    expect(maxDiff({ w: full.grads.head_weight! }, { w: mean.head_weight! })).toBeLessThan(1e-12);
  });

  it('draws its signs from the key: the same key gives the same gradients, another key others; a missing key is a usage error', () => {
    const { params, batch } = setup(spec, task);
    const uoro = backprop(spec, { kind: 'uoro' }, compiled);
    const a = uoro.run(params, batch, undefined, randomKey(7));
    const b = uoro.run(params, batch, undefined, randomKey(7));
    const c = uoro.run(params, batch, undefined, randomKey(8));
    expect(maxDiff(a.grads, b.grads)).toBe(0);
    expect(maxDiff(a.grads, c.grads)).toBeGreaterThan(0);
    expect(() => uoro.run(params, batch)).toThrow(/UORO.*needs a random key/);
    const signs = uoroSigns(randomKey(1), 3, 1, 2, 1000);
    expect(signs.every((v) => v === 1 || v === -1)).toBe(true);
    expect(Math.abs(signs.reduce((x, y) => x + y, 0))).toBeLessThan(100); // balanced
  });

  it('keeps two vectors per example: |s| + |θ| entries', () => {
    const m = backprop(spec, { kind: 'uoro', every: 4 }, exec).memory();
    const layout = rtrlLayout(spec);
    expect(m.influence).toEqual({ rows: layout.stateSize, cols: layout.paramSize, entries: layout.stateSize + layout.paramSize });
    expect(m).toMatchObject({ strategy: 'UORO (update every 4)', windows: 2 });
  });
});

describe('memory', () => {
  it('the influence matrices are |state| × |θ| per example and do not grow with T; full BPTT grows linearly', () => {
    const sizes = [10, 40];
    const reports = sizes.map((T) => backprop(smallModel(getBuiltinCell('lstm'), addingTask(T), 4, 2), { kind: 'rtrl' }, exec).memory());
    const layout = rtrlLayout(smallModel(getBuiltinCell('lstm'), addingTask(10), 4, 2));
    expect(layout.stateSize).toBe(8); // h and c, 4 each
    expect(layout.paramSize).toBe(4 * 4 * (2 + 4) + 2 * 4 * 4); // weight_ih, weight_hh, bias_ih, bias_hh
    for (const r of reports) {
      expect(r.influence).toEqual({ rows: 8, cols: layout.paramSize, entries: 8 * layout.paramSize });
      expect(r.stored.bytes).toBe(2 * (8 * layout.paramSize + 8) * 8);
    }
    expect(reports[1]!.stored).toEqual(reports[0]!.stored);
    expect(reports[1]!.full.bytes).toBeGreaterThan(3.5 * reports[0]!.full.bytes);
  });
});

describe('online RTRL', () => {
  it('every k steps: ⌈T/k⌉ updates per sequence, each with the gradient of its own steps; their sum is the whole gradient before any update', () => {
    const task = addingTask(10);
    const spec = smallModel(getBuiltinCell('gru'), task, 3, 2);
    const { params, batch } = setup(spec, task);
    const whole = backprop(spec, { kind: 'rtrl' }, exec).run(params, batch);
    // Updates that leave the parameters alone: the parts sum to the whole gradient.
    const parts: ParamValues[] = [];
    const losses: number[] = [];
    const r = backprop(spec, { kind: 'rtrl', every: 4 }, exec).run(params, batch, (g, l) => {
      parts.push(Object.fromEntries(Object.entries(g).map(([k, v]) => [k, Float64Array.from(v)])));
      losses.push(l);
    });
    expect(parts).toHaveLength(3);
    const sum = Object.fromEntries(
      Object.keys(whole.grads).map((k) => [k, parts.reduce((a, p) => a.map((x, i) => x + p[k]![i]!), new Float64Array(whole.grads[k]!.length))]),
    );
    expect(maxDiff(whole.grads, sum)).toBeLessThan(1e-12);
    expect(losses.reduce((a, b) => a + b, 0)).toBeCloseTo(whole.loss, 12);
    expect(r.loss).toBeCloseTo(whole.loss, 12);
    // The loss is at the last step only: the first two updates have no loss term, but they carry no gradient to the readout either.
    expect(losses.slice(0, 2)).toEqual([0, 0]);
  });

  it('updates change the parameters mid-sequence: later steps run with the new parameters', () => {
    const task = copyMemoryTask(8, { symbols: 3, length: 2 });
    const spec = smallModel(getBuiltinCell('rnn_tanh'), task, 3, 2);
    const { params, batch } = setup(spec, task);
    const plain = backprop(spec, { kind: 'rtrl', every: 4 }, exec).run(params, batch, () => {});
    const moved = setup(spec, task).params;
    const stepped = backprop(spec, { kind: 'rtrl', every: 4 }, exec).run(moved, batch, (g) => {
      for (const [k, v] of Object.entries(g)) moved[k]!.forEach((x, i) => (moved[k]![i] = x - 0.5 * v[i]!));
    });
    expect(stepped.loss).not.toBe(plain.loss);
  });

  it('the trainer with { kind: "rtrl", every: 5 } lowers the loss (copy task, several updates per sequence)', () => {
    const config: TrainConfig = {
      cell: getBuiltinCell('gru'),
      task: copyMemoryTask(10, { symbols: 3, length: 2 }),
      hidden: 6,
      batch: 4,
      seed: 2,
      optimizer: { kind: 'adam' },
      lr: 0.03,
      bptt: { kind: 'rtrl', every: 5 },
      dtype: 'float64',
    };
    const t = new Trainer(config);
    const before = t.evaluate().loss;
    for (let i = 0; i < 40; i++) t.step();
    expect(t.save().optimizer.step).toBe(80); // two updates per iteration
    expect(t.evaluate().loss).toBeLessThan(0.8 * before);
  });
});

describe('SnAp-1 and UORO learn the adding problem', () => {
  const cases = [
    { kind: 'snap1', iterations: 220 },
    { kind: 'uoro', iterations: 300 },
  ] as const;
  it.each(cases)('$kind: below the 0.167 baseline (T=10, H=8, $iterations iterations)', { timeout: 600_000 }, ({ kind, iterations }) => {
    const t = new Trainer({
      cell: getBuiltinCell('lstm'),
      task: addingTask(10),
      hidden: 8,
      batch: 32,
      seed: 1,
      optimizer: { kind: 'adam' },
      lr: 0.03,
      bptt: { kind },
    });
    for (let i = 0; i < iterations; i++) t.step();
    expect(t.evaluate().loss).toBeLessThan(0.05);
  });
});

describe('bad options', () => {
  const task = addingTask(6);
  const spec = smallModel(getBuiltinCell('gru'), task, 3, 2);
  it('a bidirectional model, variable lengths, train-mode regularisers, Graves clipping, a bad interval, an unknown kind', () => {
    expect(() => backprop({ ...spec, bidirectional: true }, { kind: 'rtrl' })).toThrow(/exact RTRL \(bptt 'rtrl'\).*bidirectional.*use full BPTT/);
    expect(() => backprop({ ...spec, lengths: true }, { kind: 'snap1' })).toThrow(/SnAp-1.*variable-length/);
    expect(() => backprop({ ...spec, regularize: { inputDropout: 0.2 } }, { kind: 'rtrl' })).toThrow(/regularisers in 'train' mode/);
    expect(() => backprop({ ...spec, gravesClip: 1 }, { kind: 'rtrl' })).toThrow(/Graves clipping/);
    expect(() => backprop(spec, { kind: 'rtrl', every: 0 })).toThrow(/option 'every'.*positive integer, got 0/);
    expect(() => backprop(spec, { kind: 'sgdr' } as unknown as BpttSpec)).toThrow(
      /unknown BPTT strategy "sgdr".*known: full, truncated, checkpoint, rtrl, snap1, uoro/,
    );
    expect(() => backprop({ ...spec, bidirectional: true }, { kind: 'uoro' })).toThrow(/UORO \(bptt 'uoro'\).*bidirectional/);
    const { params, batch } = setup(spec, task);
    expect(() => backprop(spec, { kind: 'rtrl', every: 2 }, exec).run(params, batch)).toThrow(/needs the update callback/);
    expect(
      () =>
        new Trainer({
          cell: getBuiltinCell('gru'),
          task,
          hidden: 3,
          batch: 2,
          seed: 1,
          optimizer: { kind: 'sgd' },
          lr: 0.1,
          bidirectional: true,
          bptt: { kind: 'rtrl' },
        }),
    ).toThrow(/bidirectional/);
  });
});
