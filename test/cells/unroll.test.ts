// unroll: the documented input/output names, order and shapes, stacking, hash-consing of shared
// weights, scopes, option validation, and the numbers against a plain-JS recurrence.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { interpret, verify, type Graph, type NDArray } from '@cellgrad/graph';
import { builtinCells, cellFeeds, cellInputs, defineCell, describeUnroll, getBuiltinCell, unroll, type UnrollOptions } from '@cellgrad/cells';
import { thrown } from './helpers.js';

const sig = (g: Graph, side: 'inputs' | 'outputs') => g[side].map((p) => `${p.name}${JSON.stringify(g.nodes[p.id]!.shape)}`);

describe('unroll: names and shapes', () => {
  it('one-layer LSTM: x, h0, c0, then the parameters; out, h_T, c_T', () => {
    const g = unroll(getBuiltinCell('lstm'), { input: 3, hidden: 4, batch: 2, steps: 5 });
    verify(g);
    expect(sig(g, 'inputs')).toEqual(['x[5,2,3]', 'h0[1,2,4]', 'c0[1,2,4]', 'weight_ih[16,3]', 'weight_hh[16,4]', 'bias_ih[16]', 'bias_hh[16]']);
    expect(sig(g, 'outputs')).toEqual(['out[5,2,4]', 'h_T[1,2,4]', 'c_T[1,2,4]']);
    expect(g.nodes.every((n) => n.dtype === 'float32')).toBe(true);
  });

  it('two-layer GRU: parameters get _l0/_l1 and layer 1 takes hidden-sized input', () => {
    const g = unroll(getBuiltinCell('gru'), { input: 3, hidden: 5, batch: 2, steps: 4, layers: 2, dtype: 'float64' });
    verify(g);
    expect(sig(g, 'inputs')).toEqual([
      'x[4,2,3]',
      'h0[2,2,5]',
      'weight_ih_l0[15,3]',
      'weight_hh_l0[15,5]',
      'bias_ih_l0[15]',
      'bias_hh_l0[15]',
      'weight_ih_l1[15,5]',
      'weight_hh_l1[15,5]',
      'bias_ih_l1[15]',
      'bias_hh_l1[15]',
    ]);
    expect(sig(g, 'outputs')).toEqual(['out[4,2,5]', 'h_T[2,2,5]']);
    expect(g.nodes.every((n) => n.dtype === 'float64')).toBe(true);
  });

  it('cellInputs / describeUnroll agree with the built graph for any sizes (property)', () => {
    const names = Object.keys(builtinCells);
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        (name, input, hidden, batch, steps, layers) => {
          const cell = getBuiltinCell(name);
          const opts = { input, hidden, batch, steps, layers };
          const g = unroll(cell, opts);
          const specs = cellInputs(cell, opts);
          expect(g.inputs.map((p) => [p.name, [...g.nodes[p.id]!.shape]])).toEqual(specs.map((s) => [s.name, [...s.shape]]));
          const layout = describeUnroll(cell, opts);
          expect(g.outputs.map((p) => [p.name, [...g.nodes[p.id]!.shape]])).toEqual(layout.outputs.map((s) => [s.name, [...s.shape]]));
        },
      ),
      { seed: 20240601, numRuns: 40 },
    );
  });

  it('a cell whose output size differs from hidden feeds that size to the next layer', () => {
    const projected = defineCell({
      name: 'projected',
      params: ({ input: I, hidden: H }) => ({ W: [H, I], U: [H, H], P: [2, H] }),
      state: ({ hidden: H }) => ({ h: [H] }),
      outputSize: () => 2,
      step: ({ x, h }, { W, U, P }) => {
        const hNext = x.matmul(W.T).add(h.matmul(U.T)).tanh();
        return { h: hNext, y: hNext.matmul(P.T) };
      },
    });
    const opts: UnrollOptions = { input: 3, hidden: 4, batch: 2, steps: 3, layers: 3, dtype: 'float64' };
    const g = unroll(projected, opts);
    expect(sig(g, 'inputs')).toEqual([
      'x[3,2,3]',
      'h0[3,2,4]',
      'W_l0[4,3]',
      'U_l0[4,4]',
      'P_l0[2,4]',
      'W_l1[4,2]',
      'U_l1[4,4]',
      'P_l1[2,4]',
      'W_l2[4,2]',
      'U_l2[4,4]',
      'P_l2[2,4]',
    ]);
    expect(sig(g, 'outputs')).toEqual(['out[3,2,2]', 'h_T[3,2,4]']);
    const r = interpret(g, cellFeeds(projected, opts, 3));
    expect(r.out!.data.every(Number.isFinite)).toBe(true);
  });
});

describe('unroll: structure', () => {
  const transposes = (g: Graph) => g.nodes.filter((n) => n.op === 'transpose').length;

  it.each(Object.keys(builtinCells))('%s: one transpose per weight (block), however many steps (hash-consing)', (name) => {
    const cell = getBuiltinCell(name);
    const perLayer = transposes(unroll(cell, { input: 3, hidden: 4, batch: 2, steps: 1 }));
    // Every matrix parameter is transposed once (gru_cho's weight_hh in two blocks: [U_r; U_z] and U_n).
    const matrices = Object.values(cell.paramShapes({ input: 3, hidden: 4 })).filter((s) => s.length === 2).length;
    expect(perLayer).toBe(name === 'gru_cho' ? matrices + 1 : matrices);
    for (const steps of [1, 3, 8]) {
      expect(transposes(unroll(cell, { input: 3, hidden: 4, batch: 2, steps }))).toBe(perLayer);
      expect(transposes(unroll(cell, { input: 3, hidden: 4, batch: 2, steps, layers: 3 }))).toBe(3 * perLayer);
      expect(transposes(unroll(cell, { input: 3, hidden: 4, batch: 2, steps, layers: 2, bidirectional: true }))).toBe(4 * perLayer);
    }
    // Step by step (a linear cell's scan form has no per-step nodes), each transpose belongs to step 0.
    const weightTransposes = unroll(cell, { input: 3, hidden: 4, batch: 2, steps: 6, scan: 'never' }).nodes.filter((n) => n.op === 'transpose');
    expect(weightTransposes.map((n) => n.scope?.step)).toEqual(new Array(perLayer).fill(0));
  });

  it('each step adds the same number of nodes', () => {
    const cell = getBuiltinCell('lstm');
    const size = (steps: number) => unroll(cell, { input: 3, hidden: 4, batch: 2, steps }).nodes.length;
    const perStep = size(5) - size(4);
    expect(perStep).toBeGreaterThan(5);
    expect(size(9) - size(5)).toBe(4 * perStep);
  });

  it('step nodes carry the cell, layer and step in their scope', () => {
    const g = unroll(getBuiltinCell('gru'), { input: 3, hidden: 4, batch: 2, steps: 3, layers: 2 });
    const scoped = g.nodes.filter((n) => n.scope?.step !== undefined);
    expect(new Set(scoped.map((n) => n.scope!.cell))).toEqual(new Set(['gru']));
    expect(new Set(scoped.map((n) => `${n.scope!.layer}:${n.scope!.step}`))).toEqual(new Set(['0:0', '0:1', '0:2', '1:0', '1:1', '1:2']));
    expect(g.nodes.filter((n) => n.op === 'sigmoid').every((n) => n.scope?.step !== undefined)).toBe(true);
  });

  it('out is the stack of per-step outputs; the last step equals h_T of the top layer', () => {
    const cell = getBuiltinCell('lstm');
    const opts = { input: 2, hidden: 3, batch: 2, steps: 4, layers: 2, dtype: 'float64' as const };
    const r = interpret(unroll(cell, opts), cellFeeds(cell, opts, 5));
    const last = r.out!.data.slice(3 * 6, 4 * 6);
    const top = r.h_T!.data.slice(6, 12);
    expect(Array.from(last)).toEqual(Array.from(top));
  });
});

/** A plain-JS Elman network (tanh), stacked, for comparison. */
function elmanReference(feeds: Record<string, NDArray>, o: { input: number; hidden: number; batch: number; steps: number; layers: number }) {
  const { hidden: H, batch: B, steps: T, layers: L } = o;
  let seq: number[][][] = Array.from({ length: T }, (_, t) =>
    Array.from({ length: B }, (_, b) => Array.from(feeds.x!.data.slice((t * B + b) * o.input, (t * B + b + 1) * o.input))),
  );
  const hT: number[] = [];
  for (let k = 0; k < L; k++) {
    const I = k === 0 ? o.input : H;
    const p = (n: string) => feeds[L > 1 ? `${n}_l${k}` : n]!.data;
    const [Wi, Wh, bi, bh] = [p('weight_ih'), p('weight_hh'), p('bias_ih'), p('bias_hh')];
    let h = Array.from({ length: B }, (_, b) => Array.from(feeds.h0!.data.slice((k * B + b) * H, (k * B + b + 1) * H)));
    const outs: number[][][] = [];
    for (let t = 0; t < T; t++) {
      h = h.map((hb, b) =>
        Array.from({ length: H }, (_, j) => {
          let s = bi[j]! + bh[j]!;
          for (let i = 0; i < I; i++) s += seq[t]![b]![i]! * Wi[j * I + i]!;
          for (let i = 0; i < H; i++) s += hb[i]! * Wh[j * H + i]!;
          return Math.tanh(s);
        }),
      );
      outs.push(h);
    }
    hT.push(...h.flat());
    seq = outs;
  }
  return { out: seq.flat(2), hT };
}

describe('unroll: numbers', () => {
  it('a three-layer rnn_tanh equals a plain-JS recurrence', () => {
    const cell = getBuiltinCell('rnn_tanh');
    const opts = { input: 3, hidden: 4, batch: 2, steps: 5, layers: 3, dtype: 'float64' as const };
    const feeds = cellFeeds(cell, opts, 11);
    const r = interpret(unroll(cell, opts), feeds);
    const ref = elmanReference(feeds, opts);
    r.out!.data.forEach((v, i) => expect(v).toBeCloseTo(ref.out[i]!, 12));
    r.h_T!.data.forEach((v, i) => expect(v).toBeCloseTo(ref.hT[i]!, 12));
  });
});

describe('unroll: option errors', () => {
  const cell = getBuiltinCell('gru');
  const base = { input: 3, hidden: 4, batch: 2, steps: 5 };
  it.each([
    [{ ...base, steps: 0 }, "unroll(cell 'gru'): option 'steps' must be a positive integer, got 0"],
    [{ ...base, batch: 1.5 }, "option 'batch' must be a positive integer, got 1.5"],
    [{ ...base, hidden: -4 }, "option 'hidden' must be a positive integer, got -4"],
    [{ ...base, layers: 0 }, "option 'layers' must be a positive integer, got 0"],
    [{ hidden: 4, batch: 2, steps: 5 }, "option 'input' must be a positive integer, got undefined"],
    [{ ...base, dtype: 'float16' }, 'unroll(cell \'gru\'): unknown dtype "float16" (expected "float32" or "float64")', 'dtype'],
    [{ ...base, step: 3 }, "unknown option(s) 'step'"],
  ])('%j', (opts, message, kind = 'usage') => {
    const e = thrown(() => unroll(cell, opts as UnrollOptions));
    expect(e.kind).toBe(kind);
    expect(e.message).toContain(message);
  });

  it('rejects something that is not a cell, and missing options', () => {
    expect(thrown(() => unroll({ name: 'x' } as never, base)).message).toContain('unroll: the first argument must be a cell made by defineCell');
    expect(thrown(() => unroll(cell, undefined as never)).message).toContain("unroll(cell 'gru'): options must be an object");
    expect(thrown(() => cellInputs(cell, { ...base, steps: -1 })).message).toContain("cellInputs(cell 'gru'): option 'steps'");
  });

  it('rejects graph-input name clashes between parameters and states', () => {
    const clash = defineCell({
      name: 'clash',
      params: ({ hidden: H }) => ({ h0: [H] }),
      state: ({ hidden: H }) => ({ h: [H] }),
      step: ({ h }, { h0 }) => ({ h: h.add(h0) }),
    });
    const e = thrown(() => unroll(clash, base));
    expect(e.kind).toBe('cell');
    expect(e.message).toContain("cell 'clash': two graph inputs would be named 'h0' (the initial value of state 'h' and parameter 'h0' of layer 0)");
  });
});
