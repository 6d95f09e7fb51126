/**
 * Training on the shared time loop (`layerLoop`, the loop of `unroll`): stacked and bidirectional
 * models with regularisers learn on the adding problem (seq2seq-free, loss at the last step) and on
 * sequence classification (the seq2one head); windows of a 2-layer model equal full BPTT exactly;
 * the training graph of a regularised bidirectional model gradchecks at a fixed key; resume with
 * regularisation is bit for bit; variable lengths give padding exactly zero gradient; float64 trains.
 */
import { describe, expect, it } from 'vitest';
import { grad, gradcheck } from '@cellgrad/autodiff';
import { interpret, randomKey, type NDArray } from '@cellgrad/graph';
import {
  Trainer,
  addingTask,
  backprop,
  buildWindow,
  copyMemoryTask,
  fingerprint,
  getBuiltinCell,
  gradientFlow,
  initModel,
  iterationKey,
  majorityTask,
  unroll,
  windowDataFeeds,
  type ModelSpec,
  type TrainConfig,
} from '@cellgrad/cells';
import { maxDiff, setup, smallModel } from './helpers.js';

const exec = { executor: 'interpreted', dtype: 'float64' } as const;
const mean = (a: readonly number[]) => a.reduce((s, v) => s + v, 0) / a.length;

/** Feeds of the whole-sequence window of `spec` (zero initial states). */
function windowFeeds(spec: ModelSpec, params: Record<string, Float64Array>, batch: Parameters<typeof windowDataFeeds>[2], key?: NDArray) {
  const w = buildWindow(spec);
  const shape = (n: string) => w.graph.nodes[w.graph.inputs.find((p) => p.name === n)!.id]!.shape;
  const feeds: Record<string, NDArray> = { ...windowDataFeeds(spec, w, batch) };
  for (const p of w.params) feeds[p] = { shape: shape(p), data: params[p]! };
  for (const s of w.states) feeds[`${s}0`] = { shape: shape(`${s}0`), data: new Float64Array(shape(`${s}0`).reduce((a, d) => a * d, 1)) };
  if (w.hasKey) feeds.key = key!;
  return { w, feeds };
}

describe('training stacked, bidirectional, regularised models', () => {
  const base = { hidden: 8, batch: 8, seed: 3, optimizer: { kind: 'adam' }, lr: 0.03, exec: { executor: 'compiled' } } as const;

  it('adding problem, 2 layers, bidirectional, dropout between layers: the loss decreases', () => {
    const config: TrainConfig = { ...base, cell: getBuiltinCell('gru'), task: addingTask(6), layers: 2, bidirectional: true, regularize: { dropout: 0.2 } };
    const t = new Trainer(config);
    expect(Object.keys(t.params)).toContain('weight_hh_l1_reverse');
    for (let i = 0; i < 30; i++) t.step();
    expect(mean(t.losses.slice(-5))).toBeLessThan(mean(t.losses.slice(0, 5)));
    expect(t.evaluate(2).loss).toBeLessThan(0.3);
  });

  it('classification through the seq2one head (xent at the last step), 2 layers, bidirectional, dropout: the loss decreases', () => {
    const config: TrainConfig = {
      ...base,
      cell: getBuiltinCell('lstm'),
      task: majorityTask(6, 3),
      layers: 2,
      bidirectional: true,
      regularize: { dropout: 0.2, variationalState: 0.1 },
    };
    const t = new Trainer(config);
    for (let i = 0; i < 30; i++) t.step();
    expect(mean(t.losses.slice(-5))).toBeLessThan(mean(t.losses.slice(0, 5)));
    const ev = t.evaluate(2);
    expect(ev.accuracy).toBeGreaterThan(1 / 3);
  });

  it("the readout at the last step is unroll's seq2one head: same logits for the same weights (eval mode)", () => {
    const task = majorityTask(5, 3);
    const spec: ModelSpec = { ...smallModel(getBuiltinCell('gru'), task), layers: 2, bidirectional: true, regularize: { zoneout: 0.3 }, mode: 'eval' };
    const { params, batch } = setup(spec, task);
    const { w, feeds } = windowFeeds(spec, params, batch);
    const pred = interpret(buildWindow(spec, { predictions: true }).graph, feeds).pred!;
    const g = unroll(spec.cell, {
      input: task.input,
      hidden: 4,
      batch: 3,
      steps: 5,
      layers: 2,
      bidirectional: true,
      pattern: 'seq2one',
      classes: 3,
      dtype: 'float64',
      regularize: { zoneout: 0.3 },
      mode: 'eval',
    });
    const unrollFeeds = Object.fromEntries(g.inputs.map((i) => [i.name, feeds[i.name]!]));
    const logits = interpret(g, unrollFeeds).logits!;
    expect(w.params.every((p) => g.inputs.some((i) => i.name === p))).toBe(true);
    expect(Array.from(pred.data)).toEqual(Array.from(logits.data));
  });

  it('trained weights run batch-first in unroll({ batchFirst: true }): the time-major logits, x transposed', () => {
    const task = majorityTask(5, 3);
    const spec: ModelSpec = { ...smallModel(getBuiltinCell('lstm'), task), layers: 2, bidirectional: true, mode: 'eval' };
    const { params, batch } = setup(spec, task);
    const { feeds } = windowFeeds(spec, params, batch);
    const pred = interpret(buildWindow(spec, { predictions: true }).graph, feeds).pred!;
    const [T, B, I] = [5, 3, task.input];
    const g = unroll(spec.cell, {
      input: I,
      hidden: 4,
      batch: B,
      steps: T,
      layers: 2,
      bidirectional: true,
      pattern: 'seq2one',
      classes: 3,
      dtype: 'float64',
      batchFirst: true,
    });
    const xT = new Float64Array(T * B * I);
    for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let i = 0; i < I; i++) xT[(b * T + t) * I + i] = batch.x[(t * B + b) * I + i]!;
    const unrollFeeds = Object.fromEntries(g.inputs.map((i) => [i.name, i.name === 'x' ? { shape: [B, T, I], data: xT } : feeds[i.name]!]));
    expect(Array.from(interpret(g, unrollFeeds).logits!.data)).toEqual(Array.from(pred.data));
  });

  it('the training graph of a 2-layer bidirectional model with dropout passes gradcheck at a fixed key', () => {
    const task = copyMemoryTask(5, { symbols: 2, length: 1 });
    const spec: ModelSpec = {
      ...smallModel(getBuiltinCell('gru'), task, 3, 2),
      layers: 2,
      bidirectional: true,
      regularize: { dropout: 0.3, outputDropout: 0.2, zoneout: 0.2 },
    };
    const { params, batch } = setup(spec, task);
    const { w, feeds } = windowFeeds(spec, params, batch, randomKey(7));
    expect(w.hasKey).toBe(true);
    const report = gradcheck(w.graph, feeds, { wrt: w.params, outputs: ['loss'], mode: 'fast' });
    expect(report.passed).toBe(true);
    // The masks really act: another key changes the loss.
    const other = interpret(w.graph, { ...feeds, key: randomKey(8) }).loss!.data[0];
    expect(other).not.toBe(interpret(w.graph, feeds).loss!.data[0]);
  });
});

describe('windows of a stacked model', () => {
  const cases = [
    ['lstm', addingTask(8), {}],
    ['gru', copyMemoryTask(7, { symbols: 3, length: 2 }), {}],
    [
      'gru',
      copyMemoryTask(7, { symbols: 3, length: 2 }),
      { regularize: { dropout: 0.3, zoneout: 0.2, variationalState: 0.2, inputDropout: 0.1, outputDropout: 0.1 } },
    ],
  ] as const;

  it('with weight drop, checkpointed BPTT equals full BPTT to rounding (the dropped weight, not the weight, sums the steps)', () => {
    const task = copyMemoryTask(7, { symbols: 3, length: 2 });
    const spec: ModelSpec = { ...smallModel(getBuiltinCell('lstm'), task), layers: 2, regularize: { weightDrop: 0.3 } };
    const { params, batch } = setup(spec, task);
    const full = backprop(spec, { kind: 'full' }, exec).run(params, batch, undefined, randomKey(3));
    const cp = backprop(spec, { kind: 'checkpoint', every: 2 }, exec).run(params, batch, undefined, randomKey(3));
    expect(maxDiff(full.grads, cp.grads)).toBeLessThan(1e-14);
    const other = backprop(spec, { kind: 'full' }, exec).run(params, batch, undefined, randomKey(4));
    expect(maxDiff(full.grads, other.grads)).toBeGreaterThan(1e-6);
  });

  it('2 layers, one direction: checkpointed and truncated (k ≥ T) BPTT equal full BPTT exactly (with per-step and per-sequence regularisers too)', () => {
    for (const [cell, task, extra] of cases) {
      // Step by step: hoisted, a window's products over its rows sum in another order than the whole
      // sequence's (equal to rounding only: test/train/time-parallel.test.ts).
      const spec: ModelSpec = { ...smallModel(getBuiltinCell(cell), task), layers: 2, scan: 'never', hoist: 'never', ...extra };
      const { params, batch } = setup(spec, task);
      const key = randomKey(11);
      const full = backprop(spec, { kind: 'full' }, exec).run(params, batch, undefined, key);
      for (const every of [1, 2, 3]) {
        const cp = backprop(spec, { kind: 'checkpoint', every }, exec).run(params, batch, undefined, key);
        expect(maxDiff(full.grads, cp.grads), `${cell} ${JSON.stringify(extra)}, every ${every}`).toBe(0);
      }
      const tr = backprop(spec, { kind: 'truncated', k: task.steps }, exec).run(params, batch, undefined, key);
      expect(maxDiff(full.grads, tr.grads)).toBe(0);
      expect(tr.loss).toBe(full.loss);
    }
  });

  it('windows of a bidirectional model are refused with a usage error naming the option', () => {
    const spec: ModelSpec = { ...smallModel(getBuiltinCell('gru'), addingTask(6)), bidirectional: true };
    expect(() => backprop(spec, { kind: 'checkpoint' }, exec)).toThrow(/option 'bidirectional'.*full BPTT/);
    expect(
      () =>
        new Trainer({
          cell: getBuiltinCell('gru'),
          task: addingTask(6),
          hidden: 4,
          batch: 2,
          seed: 1,
          optimizer: { kind: 'sgd' },
          lr: 0.1,
          bidirectional: true,
          bptt: { kind: 'truncated', k: 2 },
        }),
    ).toThrow(/truncated BPTT.*'bidirectional'/);
  });

  it('a regularised model in train mode needs a key', () => {
    const spec: ModelSpec = { ...smallModel(getBuiltinCell('gru'), addingTask(4)), regularize: { outputDropout: 0.5 } };
    const { params, batch } = setup(spec, addingTask(4));
    expect(() => backprop(spec, { kind: 'full' }, exec).run(params, batch)).toThrow(/needs a random key/);
  });
});

describe('resume, keys and fingerprints with regularisation', () => {
  const config: TrainConfig = {
    cell: getBuiltinCell('lstm'),
    task: addingTask(6),
    hidden: 6,
    batch: 4,
    seed: 9,
    optimizer: { kind: 'adam' },
    lr: 0.02,
    layers: 2,
    regularize: { dropout: 0.3, zoneout: 0.1 },
    bptt: { kind: 'checkpoint', every: 2 },
  };

  it('a restored regularised trainer continues bit for bit (the masks come from seed and iteration)', () => {
    const a = new Trainer(config);
    for (let i = 0; i < 3; i++) a.step();
    const b = Trainer.restore(config, JSON.parse(JSON.stringify(a.save())));
    for (let i = 0; i < 3; i++) {
      a.step();
      b.step();
    }
    expect(b.losses).toEqual(a.losses);
    expect(maxDiff(a.params, b.params)).toBe(0);
  });

  it('every iteration draws new masks; the same iteration always the same', () => {
    expect(Array.from(iterationKey(9, 4).data)).toEqual(Array.from(iterationKey(9, 4).data));
    expect(Array.from(iterationKey(9, 4).data)).not.toEqual(Array.from(iterationKey(9, 5).data));
    expect(Array.from(iterationKey(9, 4).data)).not.toEqual(Array.from(iterationKey(10, 4).data));
  });

  it('the fingerprint covers layers, directions, regularisers and dtype; one-layer float32 runs keep theirs', () => {
    const plain: TrainConfig = { cell: getBuiltinCell('lstm'), task: addingTask(6), hidden: 6, batch: 4, seed: 9, optimizer: { kind: 'adam' }, lr: 0.02 };
    expect(fingerprint({ ...plain, layers: 1, regularize: {} })).toBe(fingerprint(plain));
    const prints = [
      plain,
      { ...plain, layers: 2 },
      { ...plain, bidirectional: true },
      { ...plain, regularize: { zoneout: 0.1 } },
      { ...plain, dtype: 'float64' as const },
    ].map(fingerprint);
    expect(new Set(prints).size).toBe(prints.length);
    const a = new Trainer(config);
    a.step();
    expect(() => Trainer.restore({ ...config, regularize: { dropout: 0.4 } }, a.save())).toThrow(/different settings/);
  });
});

describe('variable lengths, float64 and flow', () => {
  it('packed sequences: padding gets exactly zero gradient and changes nothing; training learns', () => {
    const task = majorityTask(6, 3, { packed: true });
    const spec: ModelSpec = { ...smallModel(getBuiltinCell('gru'), task), layers: 2, lengths: true };
    const { params, batch } = setup(spec, task);
    expect(batch.lengths).toBeDefined();
    const { w, feeds } = windowFeeds(spec, params, batch);
    const g = grad(w.graph, { of: 'loss', wrt: ['x'] });
    const dx = interpret(g, feeds)['grad:x']!.data;
    const [T, B, I] = [6, 3, 3];
    let padded = 0;
    for (let t = 0; t < T; t++)
      for (let b = 0; b < B; b++) {
        if (t < batch.lengths![b]!) continue;
        padded++;
        for (let i = 0; i < I; i++) expect(dx[(t * B + b) * I + i]).toBe(0);
      }
    expect(padded).toBeGreaterThan(0);
    // Garbage on padding changes neither the loss nor the gradients.
    const noisy = Float64Array.from(batch.x, (v, k) => (Math.floor(k / (B * I)) >= batch.lengths![Math.floor(k / I) % B]! ? 5 : v));
    const a = backprop(spec, { kind: 'full' }, exec).run(params, batch);
    const b = backprop(spec, { kind: 'full' }, exec).run(params, { ...batch, x: noisy });
    expect(b.loss).toBe(a.loss);
    expect(maxDiff(a.grads, b.grads)).toBe(0);
    const t = new Trainer({ cell: getBuiltinCell('gru'), task, hidden: 8, batch: 8, seed: 2, optimizer: { kind: 'adam' }, lr: 0.03 });
    expect(t.model.lengths).toBe(true);
    for (let i = 0; i < 25; i++) t.step();
    expect(mean(t.losses.slice(-5))).toBeLessThan(mean(t.losses.slice(0, 5)));
  });

  it("dtype 'float64' trains in double precision (compiled), close to the interpreter", () => {
    const config: TrainConfig = {
      cell: getBuiltinCell('gru'),
      task: addingTask(5),
      hidden: 4,
      batch: 3,
      seed: 1,
      optimizer: { kind: 'sgd' },
      lr: 0.1,
      layers: 2,
      dtype: 'float64',
    };
    const compiled = new Trainer(config);
    const interpreted = new Trainer({ ...config, exec: { executor: 'interpreted' } });
    const f32 = new Trainer({ ...config, dtype: 'float32' });
    for (let i = 0; i < 3; i++) {
      compiled.step();
      interpreted.step();
      f32.step();
    }
    expect(maxDiff(compiled.params, interpreted.params)).toBeLessThan(1e-12);
    expect(maxDiff(compiled.params, f32.params)).toBeGreaterThan(1e-9);
  });

  it('gradient flow of a 2-layer model: ‖∂L/∂h(t)‖ for every step of the top layer, and Jacobian norms', () => {
    const task = addingTask(6);
    const spec: ModelSpec = { ...smallModel(getBuiltinCell('rnn_tanh'), task), layers: 2 };
    const { params, batch } = setup(spec, task);
    const report = gradientFlow(spec, params, batch, { points: [0, 5], exec });
    expect(report.stateGradNorms).toHaveLength(6);
    expect(report.stateGradNorms[5]!).toBeGreaterThan(0);
    // The Jacobian of the top state with respect to itself at the last step is the identity.
    expect(report.jacobianNorms[1]!.norm).toBeCloseTo(1, 6);
    expect(report.jacobianNorms[0]!.norm).toBeGreaterThan(0);
    expect(initModel(spec, 1).weight_hh_l1).toBeDefined();
  });
});
