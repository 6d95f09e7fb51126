/**
 * User-defined ops and gradient errors: an op without a VJP on the path of a gradient is a
 * 'gradient' error naming the op; off the path it is harmless; a user op with a correct VJP
 * differentiates correctly (first and second order). Test ops get unique `__test_` names so reruns
 * in one process never collide (and the registry-driven op tests skip them).
 */
import { describe, expect, it } from 'vitest';
import { grad } from '@cellgrad/autodiff';
import {
  buildGraph,
  CellgradError,
  defineElementwise,
  defineOp,
  elementwiseKernel,
  elementwiseType,
  getOp,
  hasOp,
  interpret,
  isCellgradError,
  listOps,
  verify,
  type OpDef,
} from '@cellgrad/graph';
import { assertGradientsClose, numericalGradient } from '../support/fd.js';

let counter = 0;
/** A fresh op name that is not registered yet. */
function uniqueName(base: string): string {
  let name: string;
  do name = `__test_${base}_${process.pid}_${++counter}`;
  while (hasOp(name));
  return name;
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, but nothing was thrown');
}

/** An elementwise op 2x with no VJP. */
const noVjp = defineOp({
  name: uniqueName('double_no_vjp'),
  arity: 1,
  type: elementwiseType('double_no_vjp'),
  kernel: elementwiseKernel((x) => 2 * x),
});

/** cube(x) = x³ with VJP 3x²·g. */
const cube = defineElementwise({
  name: uniqueName('cube'),
  arity: 1,
  fn: (x) => x * x * x,
  vjp: ({ inputs: [x], grad: g }) => [g.mul(x!.square()).mul(3)],
});

describe('ops without a VJP', () => {
  it('on the path of a gradient: a gradient error naming the op and the node', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [3]);
        return { loss: noVjp(x.tanh()).sum() };
      },
      { dtype: 'float64' },
    );
    expect(interpret(g, { x: [1, 2, 3] }).loss!.data[0]).toBeCloseTo(2 * (Math.tanh(1) + Math.tanh(2) + Math.tanh(3)), 12);
    const e = thrown(() => grad(g));
    expect(e).toBeInstanceOf(CellgradError);
    expect(isCellgradError(e, 'gradient')).toBe(true);
    const node = g.nodes.find((n) => n.op === noVjp.name)!;
    expect((e as Error).message).toContain(`op '${noVjp.name}'`);
    expect((e as Error).message).toContain(`node %${node.id}`);
    expect((e as Error).message).toMatch(/has no VJP/);
  });

  it('inside a cell scope, the error names the cell and step', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [2]);
        const y = b.scoped({ cell: 'mycell', step: 4 }, () => noVjp(x));
        return { loss: y.sum() };
      },
      { dtype: 'float64' },
    );
    expect((thrown(() => grad(g)) as Error).message).toMatch(/cell 'mycell',? step 4/);
  });

  it('off the path it is fine: on an input not differentiated, or a branch the loss does not use', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [3]);
        const c = b.input('c', [3]);
        const side = noVjp(x);
        return { loss: x.mul(noVjp(c)).sum(), side };
      },
      { dtype: 'float64' },
    );
    const dg = grad(g, { of: 'loss', wrt: ['x'] });
    expect(verify(dg)).toBe(dg);
    const out = interpret(dg, { x: [1, 2, 3], c: [0.5, -1, 2] });
    expect([...out['grad:x']!.data]).toEqual([1, -2, 4]);
    expect([...out.side!.data]).toEqual([2, 4, 6]);
    // With c differentiated too, the no-VJP op is on the path: error.
    expect(
      isCellgradError(
        thrown(() => grad(g, { of: 'loss' })),
        'gradient',
      ),
    ).toBe(true);
    // Constant-only operands are never on the path.
    const k = buildGraph(
      (b) => {
        const x = b.input('x', [2]);
        return { loss: x.mul(noVjp(b.constant([1, 2]))).sum() };
      },
      { dtype: 'float64' },
    );
    expect([...interpret(grad(k), { x: [5, 5] })['grad:x']!.data]).toEqual([2, 4]);
  });

  it('a VJP that throws is reported as a gradient error naming the op', () => {
    const bad = defineOp({
      name: uniqueName('bad_vjp'),
      arity: 1,
      type: elementwiseType('bad_vjp'),
      kernel: elementwiseKernel((x) => x),
      vjp: ({ grad: g }) => [g.reshape([7, 7])],
    });
    const g = buildGraph((b) => ({ loss: bad(b.input('x', [3])).sum() }), { dtype: 'float64' });
    const e = thrown(() => grad(g));
    expect(isCellgradError(e, 'gradient')).toBe(true);
    expect((e as Error).message).toMatch(new RegExp(`VJP of '${bad.name}' \\(node %1\\) failed: reshape: cannot reshape \\[3\\]`));
  });

  it('a VJP returning a cotangent of the wrong shape is a gradient error', () => {
    const wrong = defineOp({
      name: uniqueName('wrong_shape_vjp'),
      arity: 1,
      type: elementwiseType('wrong_shape_vjp'),
      kernel: elementwiseKernel((x) => x),
      vjp: ({ grad: g }) => [g.sum()],
    });
    const g = buildGraph((b) => ({ loss: wrong(b.input('x', [3])).sum() }), { dtype: 'float64' });
    const e = thrown(() => grad(g));
    expect(isCellgradError(e, 'gradient')).toBe(true);
    expect((e as Error).message).toMatch(/cotangent \[\] has lower rank than its operand \[3\]/);
  });
});

describe('user-defined ops with a VJP', () => {
  it('cube differentiates correctly (against 3x² and finite differences), with broadcasting around it', () => {
    const g = buildGraph(
      (b) => {
        const x = b.input('x', [2, 3]);
        const w = b.input('w', [3]);
        return { loss: cube(x.mul(w)).sum() };
      },
      { dtype: 'float64' },
    );
    const feeds = {
      x: [
        [0.5, -1, 1.5],
        [2, 0.25, -0.75],
      ],
      w: [1.1, -0.3, 0.7],
    };
    const out = interpret(grad(g), feeds);
    const x = feeds.x.flat();
    const expected = x.map((xi, i) => 3 * (xi * feeds.w[i % 3]!) ** 2 * feeds.w[i % 3]!);
    [...out['grad:x']!.data].forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
    assertGradientsClose(out, numericalGradient(g, feeds));
  });

  it('cube differentiates twice (6x)', () => {
    const g = buildGraph((b) => ({ y: cube(b.input('x', [])) }), { dtype: 'float64' });
    const d2 = grad(grad(g, { keepOutputs: false }), { keepOutputs: false, prefix: 'grad2:' });
    expect(interpret(d2, { x: 1.5 })['grad2:x']!.data[0]).toBeCloseTo(9, 12);
  });

  it('registered ops are listed and found by name; duplicate names are an op error', () => {
    expect(getOp(cube.name)).toBe(cube.def);
    expect(cube.opName).toBe(cube.name);
    expect(listOps().map((o) => o.name)).toContain(cube.name);
    const e = thrown(() => defineElementwise({ name: cube.name, arity: 1, fn: (x) => x }));
    expect(isCellgradError(e, 'op')).toBe(true);
    expect((e as Error).message).toContain(`'${cube.name}' is already defined`);
    expect(
      isCellgradError(
        thrown(() => getOp('__no_such_op__')),
        'graph',
      ),
    ).toBe(true);
    expect(
      isCellgradError(
        thrown(() => defineOp({ name: uniqueName('nokernel'), arity: 1, type: elementwiseType('x') } as unknown as OpDef)),
        'op',
      ),
    ).toBe(true);
  });
});
