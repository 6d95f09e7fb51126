// linear_scan and the scan form of unroll: the scan equals the step-by-step loop to 1e-12 in
// float64 (values and gradients) for every linear cell and for random linear cells a user could
// write; it gradchecks; the compiled plan equals the interpreter; 'always' and 'never' behave.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { grad, gradcheck } from '@cellgrad/autodiff';
import { cellFeeds, defineCell, getBuiltinCell, unroll, type Cell, type UnrollOptions } from '@cellgrad/cells';
import { compile, extendGraph, GraphBuilder, interpret, linear, ndarray, optimize, ops, verify, type Graph, type Tensor } from '@cellgrad/graph';
import { fcParams } from '../support/fc.js';
import { checkPass, expectClose } from '../passes/helpers.js';

const hasScan = (g: Graph) => g.nodes.some((n) => n.op === 'linear_scan');

/** loss = Σ out ⊙ R + Σ finals, so every output gets a cotangent; then its gradient w.r.t. every input. */
function withLoss(g: Graph): Graph {
  return extendGraph(g, (ctx) => {
    let loss = ctx.outputs.out ? ctx.outputs.out.mul(ctx.outputs.out.tanh()).sum() : ctx.outputs.logits!.square().sum();
    for (const [name, t] of Object.entries(ctx.outputs)) if (name.endsWith('_T')) loss = loss.add(t.mul(t).sum());
    return { loss };
  });
}

/** The scan form and the step loop give the same outputs and the same gradients (1e-12 relative). */
function expectScanEqualsLoop(cell: Cell, options: UnrollOptions, seed = 1): void {
  const scanned = unroll(cell, { ...options, dtype: 'float64', scan: 'always' });
  const looped = unroll(cell, { ...options, dtype: 'float64', scan: 'never' });
  expect(hasScan(scanned)).toBe(true);
  expect(hasScan(looped)).toBe(false);
  verify(scanned);
  const feeds = cellFeeds(cell, { ...options, dtype: 'float64' }, seed);
  const a = interpret(grad(withLoss(scanned), { of: 'loss' }), feeds);
  const b = interpret(grad(withLoss(looped), { of: 'loss' }), feeds);
  expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
  for (const k of Object.keys(b)) expectClose(a[k]!, b[k]!, k, 1e-12);
}

describe('linear_scan', () => {
  it('forward and reverse equal the recurrence written out', () => {
    const b = new GraphBuilder('float64');
    const A = b.input('a', [3, 2]);
    const B = b.input('b', [3, 2]);
    const h0 = b.input('h0', [2]);
    const g = b.build({ fwd: ops.linearScan(A, B, h0), rev: ops.linearScan(A, B, h0, { reverse: true }) });
    const a = [0.5, -1, 2, 0.25, -0.5, 3];
    const bb = [1, 2, 3, 4, 5, 6];
    const r = interpret(g, { a: ndarray(a, [3, 2]), b: ndarray(bb, [3, 2]), h0: ndarray([10, 20], [2]) });
    const fwd: number[] = [];
    const rev: number[] = new Array(6);
    for (const j of [0, 1]) {
      let h = [10, 20][j]!;
      for (let t = 0; t < 3; t++) fwd[t * 2 + j] = h = a[t * 2 + j]! * h + bb[t * 2 + j]!;
      h = [10, 20][j]!;
      for (let t = 2; t >= 0; t--) rev[t * 2 + j] = h = a[t * 2 + j]! * h + bb[t * 2 + j]!;
    }
    expect([...r.fwd!.data]).toEqual(fwd);
    expect([...r.rev!.data]).toEqual(rev);
  });

  it('gradchecks to second order, both directions, T = 1 included', () => {
    for (const [T, reverse] of [
      [4, false],
      [4, true],
      [1, false],
    ] as const) {
      const b = new GraphBuilder('float64');
      const y = ops.linearScan(b.input('a', [T, 2, 3]), b.input('b', [T, 2, 3]), b.input('h0', [2, 3]), { reverse });
      const g = b.build({ y: y.mul(y).sum() });
      const feeds = cellFeedsFor(g, 5);
      expect(gradcheck(g, feeds, { order: 2, mode: 'fast', seed: 2 }).passed).toBe(true);
      expect(gradcheck(g, feeds).passed).toBe(true);
    }
  });

  it('names bad shapes', () => {
    const b = new GraphBuilder('float64');
    expect(() => ops.linearScan(b.input('a', [3, 2]), b.input('b', [3, 4]), b.input('h0', [2]))).toThrow(/a \[3,2\] and b \[3,4\] must have the same shape/);
    expect(() => ops.linearScan(b.input('a2', [3, 2]), b.input('b2', [3, 2]), b.input('h02', [3]))).toThrow(/h0 \[3\] must be the shape of one step/);
  });
});

/** Seeded values in [−1, 1] for every input of `g`. */
function cellFeedsFor(g: Graph, seed: number) {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  return Object.fromEntries(
    g.inputs.map((p) => {
      const shape = g.nodes[p.id]!.shape;
      return [p.name, ndarray(Float64Array.from({ length: shape.reduce((x, d) => x * d, 1) }, rnd), shape, 'float64')];
    }),
  );
}

describe('unroll as scans', () => {
  const sizes = { input: 3, hidden: 4, batch: 2, steps: 5 };
  it.each(['mingru', 'minlstm', 'sru', 'qrnn'])('%s: the scan equals the step loop in values and gradients (1e-12, float64)', (name) => {
    const cell = getBuiltinCell(name);
    expectScanEqualsLoop(cell, sizes);
    expectScanEqualsLoop(cell, { ...sizes, input: 4, layers: 3, steps: 1 });
    expectScanEqualsLoop(cell, { ...sizes, batchFirst: true });
    expectScanEqualsLoop(cell, { ...sizes, pattern: 'seq2one', classes: 3 });
  });

  it.each(['mingru', 'qrnn'])('%s: auto picks the scan; the scanned graph gradchecks', (name) => {
    const cell = getBuiltinCell(name);
    const options = { ...sizes, layers: 2, dtype: 'float64' as const };
    const g = unroll(cell, options);
    expect(hasScan(g)).toBe(true);
    expect(gradcheck(g, cellFeeds(cell, options, 4)).passed).toBe(true);
  });

  it('the compiled plan (float64 and float32, and its gradient graph) equals the interpreter', () => {
    const cell = getBuiltinCell('sru');
    const options = { ...sizes, steps: 7, layers: 2 };
    const g = grad(withLoss(unroll(cell, { ...options, dtype: 'float64' })), { of: 'loss' });
    const feeds = cellFeeds(cell, { ...options, dtype: 'float64' }, 2);
    const ref = interpret(g, feeds);
    const c64 = compile(g, { dtype: 'float64' }).run(feeds);
    for (const k of Object.keys(ref)) expectClose(c64[k]!, ref[k]!, k, 1e-12);
    const ref32 = interpret(g, feeds, { dtype: 'float32' });
    const c32 = compile(g, { dtype: 'float32' }).run(feeds);
    for (const k of Object.keys(ref32)) expectClose(c32[k]!, ref32[k]!, k, 1e-4);
  });

  it.each(['mingru', 'sru'])("%s: the optimisation pipeline keeps the scan form's values and gradients, verifies and is idempotent", (name) => {
    const cell = getBuiltinCell(name);
    const options = { ...sizes, layers: 2, dtype: 'float64' as const };
    const g = withLoss(unroll(cell, options));
    checkPass(optimize, g, cellFeeds(cell, options, 5));
  });

  it("non-linear cells, and options the scan does not implement, run step by step under 'auto'", () => {
    expect(hasScan(unroll(getBuiltinCell('gru'), sizes))).toBe(false);
    expect(hasScan(unroll(getBuiltinCell('sru_v'), sizes))).toBe(false);
    for (const extra of [{ bidirectional: true }, { lengths: true }, { regularize: { zoneout: 0.1 } }] as const)
      expect(hasScan(unroll(getBuiltinCell('mingru'), { ...sizes, ...extra }))).toBe(false);
  });

  it('a linear cell whose step mixes the rows of its batch (a batch mean of x) runs step by step, with the same values', () => {
    const centred = defineCell({
      name: 'centred',
      params: ({ input: I, hidden: H }) => ({ W: [H, I] }),
      state: ({ hidden: H }) => ({ h: [H] }),
      step: ({ x, h }, { W }) => ({ h: h.mul(0.5).add(linear(x.sub(x.mean(0, true)), W)) }),
    });
    const options = { ...sizes, dtype: 'float64' as const };
    const g = unroll(centred, options);
    expect(hasScan(g)).toBe(false);
    expect(() => unroll(centred, { ...options, scan: 'always' })).toThrow(/the step mixes the rows of its batch \(%\d+ = mean: it reduces the row axis\)/);
    const feeds = cellFeeds(centred, options, 1);
    const looped = interpret(unroll(centred, { ...options, scan: 'never' }), feeds);
    const auto = interpret(g, feeds);
    for (const k of Object.keys(looped)) expectClose(auto[k]!, looped[k]!, k, 0);
  });

  it("'always' says why a cell or an unroll cannot be scanned; an unknown mode is refused", () => {
    expect(() => unroll(getBuiltinCell('lstm'), { ...sizes, scan: 'always' })).toThrow(
      /unroll\(cell 'lstm'\): scan 'always', but the unroll cannot run as scans: state 'h' is not a linear recurrence \(%\d+ = mul: a product of two values that both depend on a state\)/,
    );
    expect(() => unroll(getBuiltinCell('mingru'), { ...sizes, bidirectional: true, scan: 'always' })).toThrow(/a bidirectional unroll runs step by step/);
    expect(() => unroll(getBuiltinCell('mingru'), { ...sizes, scan: 'yes' as never })).toThrow(
      /unknown scan mode "yes" \(expected 'auto', 'always' or 'never'\)/,
    );
  });
});

// Random linear cells as a user would write them: gates from x (any activation, optional layer
// norm), a next state that is a ⊙ h + b written in several ways, an optional readout.
interface Spec {
  readonly acts: readonly ('sigmoid' | 'tanh' | 'relu' | 'none')[];
  readonly norm: boolean;
  readonly form: 'gated' | 'leaky' | 'split' | 'neg' | 'residual';
  readonly readout: 'state' | 'head';
  readonly states: 1 | 2;
}
const specArb: fc.Arbitrary<Spec> = fc.record({
  acts: fc.array(fc.constantFrom('sigmoid' as const, 'tanh' as const, 'relu' as const, 'none' as const), { minLength: 2, maxLength: 2 }),
  norm: fc.boolean(),
  form: fc.constantFrom('gated' as const, 'leaky' as const, 'split' as const, 'neg' as const, 'residual' as const),
  readout: fc.constantFrom('state' as const, 'head' as const),
  states: fc.constantFrom(1 as const, 2 as const),
});
const ACT = { sigmoid: (t: Tensor) => t.sigmoid(), tanh: (t: Tensor) => t.tanh(), relu: (t: Tensor) => t.relu(), none: (t: Tensor) => t };

function randomLinearCell(spec: Spec): Cell {
  return defineCell({
    name: 'user_linear',
    params: ({ input: I, hidden: H }) => ({ W: [2 * H, I], b: [2 * H], decay: [H] }),
    state: ({ hidden: H }): Record<string, number[]> => (spec.states === 2 ? { h: [H], m: [H] } : { h: [H] }),
    output: 'y',
    step: (inputs, { W, b, decay }) => {
      const { x, h } = inputs as { x: Tensor; h: Tensor };
      let pre = linear(x, W!, b!);
      if (spec.norm) pre = pre.layerNorm();
      const [p, q] = pre.split(2, -1);
      const g = ACT[spec.acts[0]!](p).sigmoid();
      const v = ACT[spec.acts[1]!](q);
      let next: Tensor;
      if (spec.form === 'gated') next = g.oneMinus().mul(h).add(g.mul(v));
      else if (spec.form === 'leaky') next = decay!.sigmoid().mul(h).add(v);
      else if (spec.form === 'split') next = h.mul(g).add(v).sub(h.mul(g).mul(0.5));
      else if (spec.form === 'neg') next = v.sub(h.mul(g)).neg();
      else next = h.add(g.mul(v));
      const out: Record<string, Tensor> = { h: next, y: spec.readout === 'state' ? next : next.tanh().mul(g).add(h) };
      if (spec.states === 2) out.m = (inputs as unknown as { m: Tensor }).m.mul(0.9).add(v);
      return out;
    },
  });
}

describe('the scan rewrite on random linear cells', () => {
  it('changes no value and no gradient', () => {
    fc.assert(
      fc.property(
        specArb,
        fc.record({ steps: fc.integer({ min: 1, max: 4 }), batch: fc.integer({ min: 1, max: 3 }), layers: fc.integer({ min: 1, max: 2 }) }),
        (spec, s) => expectScanEqualsLoop(randomLinearCell(spec), { input: 3, hidden: 3, ...s }),
      ),
      fcParams(25),
    );
  });
});
