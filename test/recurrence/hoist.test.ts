// Hoisting the time-parallel work of a cell that is not linear out of the step loop: with hoist
// 'auto', every time-parallel node (x·W, its bias, a layer norm of it, a gate reading only x and its
// activation) is computed once over all T·B rows, the core once per step on row slices of it; the
// values and gradients equal the plain step loop's (scan 'never') to 1e-12 in float64.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { grad } from '@cellgrad/autodiff';
import { analyzeRecurrence, cellFeeds, defineCell, getBuiltinCell, unroll, type Cell, type UnrollOptions } from '@cellgrad/cells';
import { extendGraph, interpret, linear, type Graph, type Tensor } from '@cellgrad/graph';
import { fcParams } from '../support/fc.js';
import { expectClose } from '../passes/helpers.js';

function withLoss(g: Graph): Graph {
  return extendGraph(g, (ctx) => {
    let loss = ctx.outputs.out ? ctx.outputs.out.mul(ctx.outputs.out.tanh()).sum() : ctx.outputs.logits!.square().sum();
    for (const [name, t] of Object.entries(ctx.outputs)) if (name.endsWith('_T')) loss = loss.add(t.mul(t).sum());
    return { loss };
  });
}

const count = (g: Graph, op: string) => g.nodes.filter((n) => n.op === op).length;

/**
 * Hoisted and plain loops give the same values and gradients, and the hoisted graph computes each
 * time-parallel node of op `op` once per layer (the rest of that op once per step).
 */
function expectHoistEqualsLoop(cell: Cell, options: UnrollOptions, op: string, seed = 1): void {
  const o = { ...options, dtype: 'float64' as const, hoist: 'auto' as const };
  const hoisted = unroll(cell, o);
  const looped = unroll(cell, { ...o, scan: 'never' });
  const r = analyzeRecurrence(cell, { input: o.input, hidden: o.hidden });
  const parallel = r.timeParallel.filter((n) => n.op === op).length;
  const perStep = [...r.core, ...r.readout].filter((n) => n.op === op).length;
  const T = o.steps;
  const L = o.layers ?? 1;
  expect(parallel).toBeGreaterThan(0);
  expect(count(looped, op)).toBe(L * T * (parallel + perStep));
  expect(count(hoisted, op)).toBe(L * (parallel + T * perStep));
  const feeds = cellFeeds(cell, o, seed);
  const a = interpret(grad(withLoss(hoisted), { of: 'loss' }), feeds);
  const b = interpret(grad(withLoss(looped), { of: 'loss' }), feeds);
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(b)) expectClose(a[k]!, b[k]!, k, 1e-12);
}

describe('hoisting the time-parallel work of a step loop', () => {
  it('lstm_layernorm: the layer norms of x·W once over all rows; values and gradients unchanged', () => {
    expectHoistEqualsLoop(getBuiltinCell('lstm_layernorm'), { input: 3, hidden: 4, batch: 2, steps: 4 }, 'layer_norm');
  });

  it("hoist 'auto' (the default); hoist 'never', scan 'never' and options the hoisting does not implement keep one copy of the step per time step", () => {
    const cell = getBuiltinCell('lstm_layernorm');
    const sizes = { input: 3, hidden: 4, batch: 2, steps: 3 };
    const perStep = count(unroll(cell, { ...sizes, scan: 'never' }), 'layer_norm');
    expect(count(unroll(cell, sizes), 'layer_norm')).toBeLessThan(perStep);
    expect(count(unroll(cell, { ...sizes, hoist: 'auto' }), 'layer_norm')).toBeLessThan(perStep);
    expect(count(unroll(cell, { ...sizes, hoist: 'never' }), 'layer_norm')).toBe(perStep);
    expect(() => unroll(cell, { ...sizes, hoist: 'yes' as never })).toThrow(/unknown hoist mode "yes" \(expected 'auto' or 'never'\)/);
    for (const extra of [{ bidirectional: true }, { lengths: true }, { regularize: { zoneout: 0.1 } }] as const)
      expect(count(unroll(cell, { ...sizes, ...extra }), 'layer_norm')).toBe(perStep * (extra.bidirectional ? 2 : 1));
  });

  it('calls the step once per time step (then once over all rows), and replays whole a step whose graph differs', () => {
    // A step that builds another graph at its calls 4 to 6 (a user's step with a counter), that is at
    // steps 3 to 5: those steps are replayed whole, so the values still equal the plain loop's.
    const counting = () => {
      let calls = 0;
      const cell = defineCell({
        name: 'counting',
        params: ({ input: I, hidden: H }) => ({ W: [H, I], U: [H, H] }),
        state: ({ hidden: H }) => ({ h: [H] }),
        step: ({ x, h }, { W, U }) => {
          calls++;
          const pre = linear(x, W).sigmoid().add(linear(h, U));
          return { h: calls >= 4 && calls <= 6 ? pre.tanh().mul(0.5) : pre.tanh() };
        },
      });
      return { cell, calls: () => calls };
    };
    const o = { input: 3, hidden: 4, batch: 2, steps: 6, dtype: 'float64' as const };
    const a = counting();
    const hoisted = unroll(a.cell, o);
    expect(a.calls()).toBe(o.steps + 1);
    expect(count(hoisted, 'sigmoid')).toBe(1 + 3);
    const b = counting();
    const looped = unroll(b.cell, { ...o, hoist: 'never' });
    expect(b.calls()).toBe(o.steps);
    const feeds = cellFeeds(a.cell, o, 3);
    const ra = interpret(hoisted, feeds);
    const rb = interpret(looped, feeds);
    for (const k of Object.keys(rb)) expectClose(ra[k]!, rb[k]!, k, 1e-14);
  });
});

// Random cells that are not linear: a gate reading only x (any activation, optional layer norm),
// a state update reading h through a nonlinearity, an optional readout.
interface Spec {
  readonly act: 'sigmoid' | 'tanh' | 'relu';
  readonly norm: boolean;
  readonly form: 'tanh' | 'gated' | 'product';
  readonly readout: 'state' | 'head';
}
const specArb: fc.Arbitrary<Spec> = fc.record({
  act: fc.constantFrom('sigmoid' as const, 'tanh' as const, 'relu' as const),
  norm: fc.boolean(),
  form: fc.constantFrom('tanh' as const, 'gated' as const, 'product' as const),
  readout: fc.constantFrom('state' as const, 'head' as const),
});
const ACT = { sigmoid: (t: Tensor) => t.sigmoid(), tanh: (t: Tensor) => t.tanh(), relu: (t: Tensor) => t.relu() };

function randomNonlinearCell(spec: Spec): Cell {
  return defineCell({
    name: 'user_nonlinear',
    params: ({ input: I, hidden: H }) => ({ W: [2 * H, I], b: [2 * H], U: [H, H] }),
    state: ({ hidden: H }) => ({ h: [H] }),
    output: 'y',
    step: ({ x, h }, { W, b, U }) => {
      let pre = linear(x, W!, b!);
      if (spec.norm) pre = pre.layerNorm();
      const [p, q] = pre.split(2, -1);
      const g = ACT[spec.act](p).sigmoid();
      const hu = linear(h, U!);
      let next: Tensor;
      if (spec.form === 'tanh') next = q.add(hu).tanh().mul(g);
      else if (spec.form === 'gated')
        next = g
          .oneMinus()
          .mul(h)
          .add(g.mul(q.add(hu).tanh()));
      else next = h.mul(h.tanh()).mul(g).add(q);
      return { h: next, y: spec.readout === 'state' ? next : next.tanh().mul(g).add(h) };
    },
  });
}

describe('hoisting on random cells that are not linear', () => {
  it('changes no value and no gradient, and computes the x-only gate once', () => {
    fc.assert(
      fc.property(
        specArb,
        fc.record({ steps: fc.integer({ min: 1, max: 4 }), batch: fc.integer({ min: 1, max: 3 }), layers: fc.integer({ min: 1, max: 2 }) }),
        (spec, s) => expectHoistEqualsLoop(randomNonlinearCell(spec), { input: 3, hidden: 3, ...s }, 'sigmoid'),
      ),
      fcParams(25),
    );
  });
});
