/**
 * Clipping semantics as ../shared/NUMERICS.md states them: PyTorch clip_grad_norm_ (global norm,
 * coef = max_norm/(total + 1e-6) clamped to ≤ 1, returns the total norm), Keras clipnorm (per
 * tensor), clip_grad_value_ (elementwise), and Graves clipping (forward unchanged, the state's
 * cotangent clamped at every step).
 */
import { describe, expect, it } from 'vitest';
import { grad } from '@cellgrad/autodiff';
import { buildGraph, extendGraph, interpret, ndarray } from '@cellgrad/graph';
import {
  addingTask,
  applyClip,
  backprop,
  buildWindow,
  cellFeeds,
  clipByValue,
  clipGradNorm,
  clipPerTensor,
  getBuiltinCell,
  gravesClip,
  unroll,
  withGravesClip,
} from '@cellgrad/cells';
import { maxDiff, setup, smallModel } from './helpers.js';

const grads = () => ({ a: Float64Array.of(3, 0), b: Float64Array.of(0, 4) });

describe('gradient clipping', () => {
  it('global norm (clip_grad_norm_): returns the total norm and scales by max/(total + 1e-6)', () => {
    const g = grads();
    const total = clipGradNorm(g, 1);
    expect(total).toBe(5);
    const coef = 1 / (5 + 1e-6);
    expect(Array.from(g.a)).toEqual([3 * coef, 0]);
    expect(Array.from(g.b)).toEqual([0, 4 * coef]);
  });

  it('global norm below the bound: coef clamped to 1, gradients unchanged', () => {
    const g = grads();
    expect(clipGradNorm(g, 10)).toBe(5);
    expect(Array.from(g.a)).toEqual([3, 0]);
    // Just under the bound the 1e-6 still scales (as in PyTorch): 5 ≤ max_norm but max/(5 + 1e-6) < 1.
    const h = grads();
    clipGradNorm(h, 5);
    expect(h.a[0]).toBe(3 * (5 / (5 + 1e-6)));
  });

  it('per tensor (Keras clipnorm): each tensor to its own norm bound', () => {
    const g = { a: Float64Array.of(3, 4), b: Float64Array.of(0.3, 0.4) };
    const norms = clipPerTensor(g, 1);
    expect(norms).toEqual({ a: 5, b: 0.5 });
    expect(Array.from(g.a)).toEqual([0.6, 0.8]);
    expect(Array.from(g.b)).toEqual([0.3, 0.4]);
  });

  it('by value (clip_grad_value_): elementwise clamp', () => {
    const g = { a: Float64Array.of(-3, 0.5, 2) };
    expect(clipByValue(g, 1)).toBe(2);
    expect(Array.from(g.a)).toEqual([-1, 0.5, 1]);
  });

  it('applyClip returns the global norm before clipping for every semantic', () => {
    for (const spec of [{ kind: 'none' }, { kind: 'per-tensor', maxNorm: 1 }, { kind: 'value', clip: 1 }, { kind: 'global-norm', maxNorm: 1 }] as const) {
      expect(applyClip(grads(), spec)).toBe(5);
    }
    expect(() => applyClip(grads(), { kind: 'global-norm', maxNorm: 0 })).toThrow(/positive/);
  });
});

describe('Graves clipping (the clip_grad op)', () => {
  it('is the identity forward and clamps the cotangent backward', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [3]);
        return {
          loss: gravesClip(x, 0.5)
            .mul(b.constant([-2, 0.1, 7], [3]))
            .sum(),
        };
      },
      { dtype: 'float64' },
    );
    const dg = grad(g, { of: 'loss' });
    const out = interpret(dg, { x: ndarray([1, 2, 3], [3]) });
    expect(out.loss!.data[0]).toBeCloseTo(-2 + 0.2 + 21, 12);
    expect(Array.from(out['grad:x']!.data)).toEqual([-0.5, 0.1, 0.5]);
  });

  it('in the model: same loss, and with a tiny bound the state gradient is cut, with a huge one unchanged', () => {
    const task = addingTask(8);
    const base = smallModel(getBuiltinCell('rnn_tanh'), task);
    const { params, batch } = setup(base, task);
    const exec = { executor: 'interpreted', dtype: 'float64' } as const;
    const plain = backprop(base, { kind: 'full' }, exec).run(params, batch);
    const loose = backprop({ ...base, gravesClip: 1e9 }, { kind: 'full' }, exec).run(params, batch);
    const tight = backprop({ ...base, gravesClip: 1e-9 }, { kind: 'full' }, exec).run(params, batch);
    expect(loose.loss).toBe(plain.loss);
    expect(tight.loss).toBe(plain.loss);
    expect(Array.from(loose.grads.weight_hh!)).toEqual(Array.from(plain.grads.weight_hh!));
    // The readout only sees the last state, so its gradient is untouched; the recurrent weights only
    // get the last step's contribution plus contributions of at most 1e-9 per element.
    expect(Array.from(tight.grads.head_weight!)).toEqual(Array.from(plain.grads.head_weight!));
    const norm = (a: Float64Array) => Math.sqrt(a.reduce((s, v) => s + v * v, 0));
    expect(norm(tight.grads.weight_ih!)).toBeLessThan(norm(plain.grads.weight_ih!));
    // A vanishing bound cuts the gradient at every step: what is left is truncated BPTT with k = 1.
    const k1 = backprop(base, { kind: 'truncated', k: 1 }, exec).run(params, batch);
    expect(maxDiff(tight.grads, k1.grads)).toBeLessThan(1e-7);
    expect(maxDiff(plain.grads, k1.grads)).toBeGreaterThan(1e-4);
    const w = buildWindow({ ...base, gravesClip: 0.1 });
    expect(w.graph.nodes.filter((n) => n.op === 'clip_grad')).toHaveLength(task.steps);
  });
});

describe('withGravesClip (a wrapper for any cell and unroll)', () => {
  it('same forward values; the gradient reaching the initial state is clamped', () => {
    const opts = { input: 2, hidden: 3, batch: 2, steps: 6, dtype: 'float64' } as const;
    const lstm = getBuiltinCell('lstm');
    const loss = (g: ReturnType<typeof unroll>) => extendGraph(g, ({ outputs }) => ({ ...outputs, loss: outputs.out!.mul(100).sum() }));
    const plain = grad(loss(unroll(lstm, opts)), { of: 'loss' });
    const clipped = grad(loss(unroll(withGravesClip(lstm, 0.01), opts)), { of: 'loss' });
    const feeds = cellFeeds(lstm, opts, 2);
    const a = interpret(plain, feeds);
    const b = interpret(clipped, feeds);
    expect(Array.from(b.out!.data)).toEqual(Array.from(a.out!.data));
    expect(Math.max(...Array.from(a['grad:h0']!.data, Math.abs))).toBeGreaterThan(0.01);
    expect(Math.max(...Array.from(b['grad:h0']!.data, Math.abs))).toBeLessThanOrEqual(0.01);
    expect(Math.max(...Array.from(b['grad:c0']!.data, Math.abs))).toBeLessThanOrEqual(0.01);
    expect(() => withGravesClip(lstm, 0)).toThrow(/positive/);
  });
});
