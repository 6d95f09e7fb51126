// gradcheck itself: it passes on correct gradients, fails on a wrong VJP (full, fast and second
// order), names the worst element with its time step, and rejects bad options clearly.
import { describe, expect, it } from 'vitest';
import { ops, buildGraph, defineOp, elementwiseKernel, elementwiseType, hasOp, ndarray, type Graph } from '@cellgrad/graph';
import { formatGradcheck, gradcheck } from '@cellgrad/autodiff';

/** tanh with a VJP that is off by `factor` (1 = correct), registered once per factor. */
function scaledTanh(factor: number): string {
  const name = `test_tanh_vjp_x${factor}`;
  if (!hasOp(name)) {
    defineOp({
      name,
      arity: 1,
      type: elementwiseType(name),
      kernel: elementwiseKernel(Math.tanh),
      vjp: ({ output, grad }) => [grad.mul(output.square().oneMinus()).mul(factor)],
    });
  }
  return name;
}

/** A 4-step tanh RNN whose activation is `act` (at every step, or only at one); outputs each state and the sum. */
function rnn(act: string, onlyAtStep?: number): Graph {
  return buildGraph(
    (b) => {
      const x = b.input('x', [4, 2, 3]);
      const W = b.input('W', [3, 2]);
      const U = b.input('U', [2, 2]);
      let h = b.fill(0, [2, 2]);
      const hs = [];
      for (let t = 0; t < 4; t++) {
        const pre = x.index(0, t).matmul(W).add(h.matmul(U));
        h = b.apply(onlyAtStep === undefined || onlyAtStep === t ? act : 'tanh', [pre]);
        hs.push(h.reshape([1, 2, 2]));
      }
      return { out: ops.concat(...hs, { axis: 0 }), total: h.sum() };
    },
    { dtype: 'float64' },
  );
}

const feeds = {
  x: ndarray(
    Array.from({ length: 24 }, (_, i) => Math.sin(1.3 * i)),
    [4, 2, 3],
  ),
  W: ndarray([0.3, -0.2, 0.5, 0.1, -0.4, 0.6], [3, 2]),
  U: ndarray([0.2, -0.7, 0.4, 0.3], [2, 2]),
};

describe('gradcheck', () => {
  it('passes on correct gradients in every mode and order', () => {
    for (const mode of ['full', 'fast'] as const) {
      for (const order of [1, 2] as const) {
        const r = gradcheck(rnn('tanh'), feeds, { mode, order });
        expect(r.passed, `${mode} order ${order}\n${formatGradcheck(r)}`).toBe(true);
        expect(r.orders).toHaveLength(order);
        for (const o of r.orders) for (const i of o.inputs) expect(i.maxRelError).toBeLessThan(1e-5);
      }
    }
  });

  it('fails on a VJP off by 1% at one step and names the worst element and its time step', () => {
    const r = gradcheck(rnn(scaledTanh(1.01), 2), feeds, { timeAxes: { x: 0, out: 0 } });
    expect(r.passed).toBe(false);
    const x = r.orders[0]!.inputs.find((i) => i.name === 'x')!;
    expect(x.passed).toBe(false);
    // Only steps ≤ 2 of x reach the wrong VJP, and only outputs at steps ≥ 2 see it.
    expect(x.worst!.step).toBeLessThanOrEqual(2);
    expect(x.worst!.output === 'total' || (x.worst!.outputStep ?? -1) >= 2).toBe(true);
    expect(Math.abs(x.worst!.analytic - x.worst!.numeric)).toBeGreaterThan(1e-5);
    expect(formatGradcheck(r)).toMatch(/FAIL/);
  });

  it('fast mode and second order also catch a wrong VJP', () => {
    const bad = rnn(scaledTanh(1.05));
    expect(gradcheck(bad, feeds, { mode: 'fast' }).passed).toBe(false);
    expect(gradcheck(bad, feeds, { order: 2 }).passed).toBe(false);
  });

  it('catches a wrong second derivative that the first order cannot see', () => {
    // y = v², whose VJP 2v·g is right in value but computed by an op (doubling) whose own VJP is wrong.
    const inner = 'test_double_bad_vjp';
    const outer = 'test_square_via_bad_double';
    if (!hasOp(inner)) {
      defineOp({ name: inner, arity: 1, type: elementwiseType(inner), kernel: elementwiseKernel((v) => 2 * v), vjp: ({ grad }) => [grad.mul(3)] });
      defineOp({
        name: outer,
        arity: 1,
        type: elementwiseType(outer),
        kernel: elementwiseKernel((v) => v * v),
        vjp: ({ inputs: [v], grad }) => [grad.mul(grad.builder.apply(inner, [v!]))],
      });
    }
    const g = buildGraph((b) => ({ y: b.apply(outer, [b.input('v', [3])]).sum() }), { dtype: 'float64' });
    const r = gradcheck(g, { v: [0.5, -1, 2] }, { order: 2 });
    expect(r.orders[0]!.passed).toBe(true);
    expect(r.orders[1]!.passed).toBe(false);
  });

  it('uses PyTorch defaults and the PyTorch criterion', () => {
    const r = gradcheck(rnn('tanh'), feeds);
    expect([r.eps, r.atol, r.rtol]).toEqual([1e-6, 1e-5, 1e-3]);
    expect(r.mode).toBe('full');
    // Loose tolerances let a 1% error through; the defaults do not.
    expect(gradcheck(rnn(scaledTanh(1.01)), feeds, { atol: 1, rtol: 0.5 }).passed).toBe(true);
    expect(gradcheck(rnn(scaledTanh(1.01)), feeds).passed).toBe(false);
  });

  it('checks only the inputs and outputs asked for', () => {
    const r = gradcheck(rnn('tanh'), feeds, { wrt: ['W'], outputs: ['total'] });
    expect(r.orders[0]!.inputs.map((i) => i.name)).toEqual(['W']);
    expect(r.orders[0]!.inputs[0]!.worst!.output).toBe('total');
  });

  it('rejects bad options and unknown names clearly', () => {
    expect(() => gradcheck(rnn('tanh'), feeds, { eps: 0 })).toThrow(/eps must be > 0/);
    expect(() => gradcheck(rnn('tanh'), feeds, { wrt: ['nope'] })).toThrow(/no input 'nope'/);
    expect(() => gradcheck(rnn('tanh'), feeds, { outputs: ['nope'] })).toThrow(/no output 'nope'/);
    expect(() => gradcheck(rnn('tanh'), { x: feeds.x, W: feeds.W })).toThrow(/missing feed for input 'U'/);
  });

  it('reports progress up to the number of evaluations', () => {
    let last = [0, 0];
    const r = gradcheck(rnn('tanh'), feeds, { onProgress: (d, t) => (last = [d, t]) });
    expect(last[0]).toBe(r.evaluations);
    expect(last[0]).toBe(last[1]);
  });
});

describe('gradcheck modes: forward against reverse against finite differences', () => {
  const graph = () =>
    buildGraph(
      (b) => {
        const x = b.input('x', [2, 3]);
        const W = b.input('W', [3, 3]);
        return { y: x.matmul(W).tanh(), s: x.matmul(W).sigmoid().sum() };
      },
      { dtype: 'float64' },
    );
  const feeds = {
    x: { shape: [2, 3], data: new Float64Array([0.1, -0.4, 0.3, 0.8, -0.2, 0.5]) },
    W: { shape: [3, 3], data: new Float64Array([0.2, -0.7, 0.4, 0.1, 0.9, -0.3, 0.6, 0.05, -0.5]) },
  };

  it.each([['full'], ['fast']] as const)('%s mode: fwd and rev both pass, with a fwd=rev row per input', (mode) => {
    const r = gradcheck(graph(), feeds, { mode, modes: ['fwd', 'rev'], order: 2 });
    expect(r.passed, formatGradcheck(r)).toBe(true);
    expect(r.modes).toEqual(['fwd', 'rev']);
    expect(r.orders[0]!.inputs.map((i) => `${i.check}:${i.name}`)).toEqual(['rev:x', 'rev:W', 'fwd:x', 'fwd:W', 'fwd=rev:x', 'fwd=rev:W']);
    // forward and reverse agree to rounding, far below the finite-difference error
    for (const i of r.orders[0]!.inputs.filter((i) => i.check === 'fwd=rev')) expect(i.maxAbsError).toBeLessThan(1e-12);
    expect(formatGradcheck(r)).toMatch(/fwd=rev\s+x/);
  });

  it('forward mode alone catches a wrong VJP (its JVP is the VJP transposed) and names the input', () => {
    const bad = buildGraph((b) => ({ y: b.apply(scaledTanh(2), [b.input('x', [3])]) }), { dtype: 'float64' });
    const r = gradcheck(bad, { x: [0.1, 0.2, 0.3] }, { modes: ['fwd'] });
    expect(r.passed).toBe(false);
    expect(r.orders[0]!.inputs.map((i) => [i.check, i.name, i.passed])).toEqual([['fwd', 'x', false]]);
    expect(r.evaluations).toBe(9); // one JVP and two finite differences per input element, no VJP
  });

  it('modes must be fwd and/or rev', () => {
    expect(() => gradcheck(graph(), feeds, { modes: ['sideways' as 'fwd'] })).toThrow(/modes must be a non-empty list of 'fwd' and 'rev'/);
  });
});
