// defineCell: a custom cell in a few lines unrolls, runs and differentiates correctly; bad
// definitions and bad steps give errors naming the cell, the step and what is wrong.
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { grad } from '@cellgrad/autodiff';
import { CellgradError, extendGraph, interpret, linear, type NDArray, type Tensor } from '@cellgrad/graph';
import { cellFeeds, defineCell, isCell, unroll, type CellDef } from '@cellgrad/cells';
import { thrown } from './helpers.js';
import mgu from '../../examples/cells/minimal-gated-unit.js';

// The minimal gated unit of examples/cells (a researcher's cell file, fifteen lines, importing 'cellgrad').

const opts = { input: 3, hidden: 4, batch: 2, steps: 4, dtype: 'float64' as const };

describe('a custom cell', () => {
  it('is a frozen Cell', () => {
    expect(isCell(mgu)).toBe(true);
    expect(Object.isFrozen(mgu)).toBe(true);
    expect(isCell({ ...mgu })).toBe(false);
  });

  it('unrolls and runs, with stacked layers too', () => {
    for (const layers of [1, 2]) {
      const o = { ...opts, layers };
      const r = interpret(unroll(mgu, o), cellFeeds(mgu, o, 1));
      expect(r.out!.shape).toEqual([4, 2, 4]);
      expect(r.h_T!.shape).toEqual([layers, 2, 4]);
      expect(r.out!.data.every((v) => Number.isFinite(v) && Math.abs(v) < 1.5)).toBe(true);
    }
  });

  it('has gradients equal to central finite differences (float64)', () => {
    const g = extendGraph(unroll(mgu, opts), ({ builder, outputs }) => {
      const r = builder.input('R', [4, 2, 4], 'float64');
      return { loss: outputs.out!.mul(r).sum().add(outputs.h_T!.square().sum()) };
    });
    const dg = grad(g, { of: 'loss', wrt: ['x', 'h0', 'W', 'U', 'b'] });
    const feeds: Record<string, NDArray> = { ...cellFeeds(mgu, opts, 2), R: cellFeeds(mgu, { ...opts, input: 4 }, 3).x! };
    const analytic = interpret(dg, feeds);
    const lossAt = (f: Record<string, NDArray>) => interpret(g, f).loss!.data[0]!;
    const eps = 1e-6;
    for (const name of ['x', 'h0', 'W', 'U', 'b']) {
      const base = feeds[name]!;
      for (let i = 0; i < base.data.length; i += 3) {
        const shifted = (d: number) => {
          const data = Float64Array.from(base.data);
          data[i]! += d;
          return { ...feeds, [name]: { shape: base.shape, data } };
        };
        const numeric = (lossAt(shifted(eps)) - lossAt(shifted(-eps))) / (2 * eps);
        expect(Math.abs(analytic[`grad:${name}`]!.data[i]! - numeric), `${name}[${i}]`).toBeLessThan(1e-7);
      }
    }
  });

  it('may return y as its output and have more than one state', () => {
    const jordanLike = defineCell({
      name: 'two-state',
      params: ({ input: I, hidden: H }) => ({ W: [H, I] }),
      state: ({ hidden: H }) => ({ a: [H], s: [H] }),
      step: ({ x, a, s }, { W }) => {
        const a2 = linear(x, W).add(a).tanh();
        return { a: a2, s: s.add(a2), y: a2.mul(2) };
      },
    });
    const g = unroll(jordanLike, opts);
    expect(g.inputs.map((p) => p.name)).toEqual(['x', 'a0', 's0', 'W']);
    expect(g.outputs.map((p) => p.name)).toEqual(['out', 'a_T', 's_T']);
    const r = interpret(g, cellFeeds(jordanLike, opts, 4));
    // out at the last step is 2·a_T
    expect(Array.from(r.out!.data.slice(24, 32))).toEqual(Array.from(r.a_T!.data).map((v) => 2 * v));
  });

  it("uses the declared output, else 'y', else the first state", () => {
    const make = (output?: string) =>
      defineCell({
        name: 'pick',
        ...(output ? { output } : {}),
        params: () => ({}),
        state: ({ hidden: H }) => ({ a: [H], b: [H] }),
        step: ({ x, a, b }) => ({ a: a.add(1), b: b.add(x.sum(-1, true)) }),
      });
    const o = { input: 2, hidden: 2, batch: 1, steps: 1, dtype: 'float64' as const };
    const feeds = { x: [[[1, 2]]], a0: [[[0, 0]]], b0: [[[10, 10]]] };
    expect(Array.from(interpret(unroll(make(), o), feeds).out!.data)).toEqual([1, 1]);
    expect(Array.from(interpret(unroll(make('b'), o), feeds).out!.data)).toEqual([13, 13]);
  });
});

describe('cell types (checked by the strict type check, noUncheckedIndexedAccess on)', () => {
  it('names the declared states and parameters, and split(n) with a literal n gives an n-tuple', () => {
    const seen: number[][] = [];
    const cell = defineCell({
      name: 'typed',
      params: ({ input: I, hidden: H }) => ({ W: [2 * H, I] }),
      state: ({ hidden: H }) => ({ h: [H] }),
      step: ({ x, h }, { W }) => {
        expectTypeOf(h).toEqualTypeOf<Tensor>();
        expectTypeOf(W).toEqualTypeOf<Tensor>();
        const pieces = W.split(2, 0);
        expectTypeOf(pieces).toEqualTypeOf<[Tensor, Tensor]>();
        expectTypeOf(W.split([3, 5], 0)).toEqualTypeOf<[Tensor, Tensor]>();
        const [a, b] = pieces;
        seen.push([...a.shape], [...b.shape]);
        return { h: linear(x, a).add(linear(x, b)).add(h).tanh() };
      },
    });
    unroll(cell, { input: 3, hidden: 4, batch: 2, steps: 1 });
    expect(seen).toEqual([
      [4, 3],
      [4, 3],
    ]);
  });
});

describe('defineCell validation', () => {
  const good: CellDef<'W', 'h'> = {
    name: 'ok',
    params: ({ input: I, hidden: H }) => ({ W: [H, I] }),
    state: ({ hidden: H }) => ({ h: [H] }),
    step: ({ x, h }, { W }) => ({ h: linear(x, W).add(h).tanh() }),
  };
  const cellError = (def: unknown, message: string | RegExp) => {
    const e = thrown(() => unroll(defineCell(def as CellDef), { input: 3, hidden: 4, batch: 2, steps: 3 }));
    expect(e).toBeInstanceOf(CellgradError);
    expect(e.kind).toBe('cell');
    if (typeof message === 'string') expect(e.message).toContain(message);
    else expect(e.message).toMatch(message);
  };

  it('rejects malformed definitions at once', () => {
    expect(thrown(() => defineCell({ ...good, step: undefined } as never)).message).toBe("cell 'ok': missing 'step' (it must be a function, got undefined)");
    expect(thrown(() => defineCell({ ...good, params: [[3]] } as never)).message).toContain("cell 'ok': missing 'params'");
    expect(thrown(() => defineCell({ ...good, name: '' })).message).toContain("a cell needs a non-empty string 'name'");
    expect(thrown(() => defineCell({ ...good, output: 'x' })).message).toContain("'output' must name a value the step returns");
    expect(thrown(() => defineCell({ ...good, outputSize: 3 } as never)).message).toContain("'outputSize' must be a function");
    expect(thrown(() => defineCell(null as never)).kind).toBe('cell');
  });

  it('names a parameter whose shape is not integers', () => {
    cellError(
      { ...good, params: ({ hidden: H }: { hidden: number }) => ({ W: [H / 3, 3] }) },
      "cell 'ok': parameter 'W' has shape [1.3333333333333333,3]: every dimension must be a positive integer",
    );
    cellError({ ...good, params: () => ({ W: '3x4' }) }, "cell 'ok': parameter 'W' has shape \"3x4\", which is not an array");
  });

  it('names a bad state declaration', () => {
    cellError({ ...good, state: () => ({}) }, "cell 'ok': state(sizes) must declare at least one state");
    cellError({ ...good, state: () => ({ x: [4] }) }, "a state may not be named 'x'");
    cellError({ ...good, state: () => ({ h: [0] }) }, "cell 'ok': state 'h' has shape [0]");
  });

  it('names a missing state, a wrong shape, a non-tensor and an unknown value', () => {
    cellError(
      { ...good, state: ({ hidden: H }: { hidden: number }) => ({ h: [H], c: [H] }) },
      "cell 'ok', step 0: step did not return state 'c' (it must return every state: h, c)",
    );
    cellError(
      { ...good, step: ({ x }: any, { W }: any) => ({ h: linear(x, W).sum(-1, true) }) },
      "cell 'ok', step 0: step returned state 'h' with shape [2,1], expected [2,4]",
    );
    cellError({ ...good, step: () => ({ h: 3 }) }, "step returned 'h' = number 3, not a tensor");
    cellError({ ...good, step: ({ h }: any) => ({ h, hh: h }) }, "step returned 'hh', which is neither a state (h) nor the output ('h')");
    cellError({ ...good, step: () => undefined }, 'step must return an object of tensors (the next states), got undefined');
    cellError({ ...good, output: 'z' }, "step did not return its output 'z'");
  });

  it('names an output whose size is not outputSize', () => {
    cellError(
      { ...good, step: ({ x, h }: any, { W }: any) => ({ h: linear(x, W).add(h), y: x }) },
      "the per-step output 'y' has shape [2,3], expected [2,4] ([batch, outputSize])",
    );
    cellError({ ...good, outputSize: () => 0 }, 'cell \'ok\': outputSize({"input":3,"hidden":4}) must be a positive integer, got 0');
  });

  it('a shape error inside a step names the cell, the step, the op and both shapes', () => {
    const bad = defineCell({ ...good, name: 'bad', params: ({ input: I, hidden: H }) => ({ W: [H, I + 1] }) });
    const e = thrown(() => unroll(bad, { input: 3, hidden: 4, batch: 2, steps: 3 }));
    expect(e.kind).toBe('shape');
    // The step's own line (this file's `good.step`) is named, source-mapped to the .ts file.
    const stepLine =
      readFileSync(import.meta.filename, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('step: ({ x, h }, { W }) => ({ h: linear(x, W).add(h).tanh() }),')) + 1;
    expect(e.message).toMatch(new RegExp(`^in cell 'bad', layer 0, step 0 \\(at .*define-cell\\.test\\.ts:${stepLine}:\\d+\\): matmul`));
    expect(e.message).toMatch(/\): matmul: inner dimensions differ: \[2,3\] @ \[4,4\] \(3 ≠ 4\)$/);
    const broadcast = defineCell({ ...good, name: 'bcast', step: ({ x, h }) => ({ h: h.add(x) }) });
    expect(thrown(() => unroll(broadcast, { input: 3, hidden: 4, batch: 2, steps: 3 })).message).toMatch(
      /^in cell 'bcast', layer 0, step 0 \(at .*define-cell\.test\.ts:\d+:\d+\): add: shapes \[2,4\] and \[2,3\] do not broadcast$/,
    );
  });

  it('a cellgrad error raised outside an op still names the cell and step', () => {
    const reshaper = defineCell({ ...good, name: 'reshaper', step: ({ h }) => ({ h: h.reshape([3, -1]) }) });
    const e = thrown(() => unroll(reshaper, { input: 3, hidden: 4, batch: 2, steps: 3 }));
    expect(e.kind).toBe('shape');
    expect(e.message).toMatch(/^in cell 'reshaper', layer 0, step 0 \(at .*define-cell\.test\.ts:\d+:\d+\): reshape: cannot reshape \[2,4\] to \[3,-1\]/);
  });

  it('a plain exception in step is wrapped with the cell and the step, keeping its cause', () => {
    let calls = 0;
    const boom = new RangeError('boom');
    const flaky = defineCell({
      ...good,
      name: 'flaky',
      step: (inputs, params) => {
        if (++calls === 3) throw boom;
        return good.step(inputs, params);
      },
    });
    const e = thrown(() => unroll(flaky, { input: 3, hidden: 4, batch: 2, steps: 5 }));
    expect(e).toBeInstanceOf(CellgradError);
    expect(e.kind).toBe('cell');
    // The error object was made outside the step, so no line of the step can be named.
    expect(e.message).toBe("cell 'flaky', step 2: step threw: boom");
    expect(e.cause).toBe(boom);
    calls = 0;
    // In a stack the layer is named: call 3 is layer 0's step 2 with 5 steps, so use 2 steps.
    const e2 = thrown(() => unroll(flaky, { input: 3, hidden: 4, batch: 2, steps: 2, layers: 2 }));
    expect(e2.message).toBe("cell 'flaky', layer 1, step 0: step threw: boom");
  });
});
