/**
 * Broadcasting and shape/dtype errors, and the interpreter's feed checking and float32/float64
 * behaviour (the IR itself: ir.test.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { broadcastShapes, buildGraph, type CellgradError, GraphBuilder, interpret, interpretAll, isCellgradError, tryBroadcast, ops } from '@cellgrad/graph';
import { fcParams, rngSeed } from '../support/fc.js';
import { buildRecipe, recipeArb, smoothFeeds } from '../support/random-graph.js';

import { small, smallFeeds, thrown } from './ir-fixtures.js';

describe('broadcasting and shape rules', () => {
  it('follows numpy broadcasting', () => {
    expect(
      broadcastShapes('add', [
        [2, 1, 3],
        [4, 3],
      ]),
    ).toEqual([2, 4, 3]);
    expect(broadcastShapes('add', [[], [2, 3]])).toEqual([2, 3]);
    expect(
      broadcastShapes('add', [
        [3, 1],
        [1, 4],
      ]),
    ).toEqual([3, 4]);
    expect(broadcastShapes('add', [[1], [5]])).toEqual([5]);
    expect(broadcastShapes('where', [[2, 1], [3], []])).toEqual([2, 3]);
    expect(broadcastShapes('add', [[0], [1]])).toEqual([0]);
    expect(
      tryBroadcast([
        [2, 3],
        [3, 2],
      ]),
    ).toBeUndefined();
    expect(tryBroadcast([[0], [3]])).toBeUndefined();
    const e = thrown(() => broadcastShapes('mul', [[2, 3], [4]]));
    expect(e.kind).toBe('shape');
    expect(e.message).toBe('mul: shapes [2,3] and [4] do not broadcast');
  });

  it('broadcasting is commutative and idempotent (property)', () => {
    const shape = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 4 });
    fc.assert(
      fc.property(shape, shape, (a, b) => {
        const ab = tryBroadcast([a, b]);
        expect(ab).toEqual(tryBroadcast([b, a]));
        if (ab) {
          expect(tryBroadcast([ab, a])).toEqual(ab);
          expect(ab.length).toBe(Math.max(a.length, b.length));
        }
      }),
      fcParams(100),
    );
  });

  const shapeError = (fn: (b: GraphBuilder) => unknown): CellgradError => thrown(() => fn(new GraphBuilder('float64')));

  it('shape errors name the op and both shapes', () => {
    const mm = shapeError((b) => b.input('a', [2, 3]).matmul(b.input('b', [4, 5])));
    expect(mm.kind).toBe('shape');
    expect(mm.message).toMatch(/^matmul: inner dimensions differ: \[2,3\] @ \[4,5\] \(3 ≠ 4\)/);
    const rank = shapeError((b) => b.input('a', [3]).matmul(b.input('b', [3, 2])));
    expect(rank.message).toMatch(/matmul: .*rank ≥ 2.*\[3\] @ \[3,2\]/);
    const batch = shapeError((b) => b.input('a', [2, 2, 3]).matmul(b.input('b', [3, 3, 1])));
    expect(batch.message).toMatch(/matmul \(batch axes\).*\[2\] and \[3\]/);
    const add = shapeError((b) => b.input('a', [2, 3]).add(b.input('b', [3, 2])));
    expect(add.message).toBe('add: shapes [2,3] and [3,2] do not broadcast');
    const cat = shapeError((b) => ops.concat(b.input('a', [2, 3]), b.input('b', [3, 2]), { axis: 0 }));
    expect(cat.message).toMatch(/concat: shapes \[2,3\], \[3,2\] differ outside axis 0/);
    const rs = shapeError((b) => b.input('a', [2, 3]).reshape([4, 2]));
    expect(rs.message).toMatch(/reshape: cannot reshape \[2,3\] \(6 elements\) to \[4,2\]/);
    const tr = shapeError((b) => b.input('a', [2, 3]).transpose([0, 0]));
    expect(tr.message).toMatch(/transpose: perm \[0,0\] is not a permutation of the 2 axes of \[2,3\]/);
    const bt = shapeError((b) => b.input('a', [2, 3]).broadcastTo([3, 3]));
    expect(bt.message).toMatch(/broadcast_to: cannot broadcast \[2,3\] to \[3,3\]/);
    const sl = shapeError((b) => b.input('a', [2, 3]).slice(1, 2, 5));
    expect(sl.message).toMatch(/slice: \[2, 5\) .* axis 1 of \[2,3\]/);
    const ax = shapeError((b) => b.input('a', [2, 3]).sum(2));
    expect(ax.message).toMatch(/sum: axis 2 is out of range for a tensor of rank 2/);
  });

  it('errors inside a scope name the cell and step', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2, 3]);
    const e = thrown(() => b.scoped({ cell: 'lstm', step: 3 }, () => x.matmul(x)));
    expect(e.message).toMatch(/^in cell 'lstm', step 3: matmul: inner dimensions differ/);
  });

  it('mixing dtypes is a dtype error naming the op and both types', () => {
    const b = new GraphBuilder('float64');
    const x = b.input('x', [2]);
    const y = b.input('y', [2], 'float32');
    const e = thrown(() => x.add(y));
    expect(e.kind).toBe('dtype');
    expect(e.message).toMatch(/add: inputs have different dtypes \(f64\[2\], f32\[2\]\)/);
    // Numbers lift to the tensor's dtype, so scalars never mix.
    expect(y.mul(2).dtype).toBe('float32');
    expect(
      isCellgradError(
        thrown(() => b.input('z', [1], 'int8' as 'float32')),
        'dtype',
      ),
    ).toBe(true);
  });

  it('tensors cannot cross graphs', () => {
    const b1 = new GraphBuilder('float64');
    const b2 = new GraphBuilder('float64');
    const e = thrown(() => b1.input('x', [2]).add(b2.input('y', [2])));
    expect(e.kind).toBe('usage');
    expect(e.message).toMatch(/belongs to another graph/);
  });
});

describe('interpret', () => {
  const g = small();

  it('a missing feed names the input and its expected type', () => {
    const e = thrown(() => interpret(g, { a: smallFeeds.a, W: smallFeeds.W }));
    expect(e.kind).toBe('feed');
    expect(e.message).toBe("missing feed for input 'b' (expected float64[4])");
  });

  it('a mis-shaped feed names the input and both shapes', () => {
    const e = thrown(() => interpret(g, { ...smallFeeds, W: [[1, 2, 3]] }));
    expect(e.kind).toBe('feed');
    expect(e.message).toBe("feed 'W': expected shape [4,3], got [1,3]");
    const nd = thrown(() => interpret(g, { ...smallFeeds, b: { shape: [2, 2], data: new Float64Array(4) } }));
    expect(nd.message).toMatch(/feed 'b': expected shape \[4\], got \[2,2\]/);
  });

  it('an unknown feed is an error naming it and the inputs', () => {
    const e = thrown(() => interpret(g, { ...smallFeeds, c: 1 }));
    expect(e.kind).toBe('feed');
    expect(e.message).toMatch(/feed 'c' does not match any input of the graph \(inputs: a, W, b\)/);
  });

  it('ragged or bad feeds are feed errors', () => {
    expect(
      thrown(() =>
        interpret(g, {
          ...smallFeeds,
          a: [
            [1, 2, 3],
            [4, 5],
          ],
        }),
      ).message,
    ).toMatch(/feed 'a': ragged/);
    expect(thrown(() => interpret(g, { ...smallFeeds, b: { shape: [4], data: new Float64Array(3) } })).message).toMatch(/3 values do not fill its shape \[4\]/);
    expect(thrown(() => interpret(g, { ...smallFeeds, b: 'x' as unknown as number })).kind).toBe('feed');
  });

  it('feeds may be nested arrays, numbers or NDArrays of either dtype', () => {
    const s = buildGraph((b) => ({ y: b.input('x', []).mul(b.input('v', [2])) }), { dtype: 'float64' });
    expect([...interpret(s, { x: 2, v: { shape: [2], data: new Float32Array([1, 1.5]) } }).y!.data]).toEqual([2, 3]);
  });

  it('float32 graphs compute in float32: every value is float32-rounded and agrees with float64', () => {
    const g32 = small('float32');
    const { outputs, values } = interpretAll(g32, smallFeeds);
    for (const v of values) {
      expect(v.data).toBeInstanceOf(Float32Array);
      for (const x of v.data) expect(Math.fround(x)).toBe(x);
    }
    const r64 = interpret(g32, smallFeeds, { dtype: 'float64' });
    expect(r64.y!.data).toBeInstanceOf(Float64Array);
    for (const name of ['y', 'z']) {
      const a = outputs[name]!.data;
      const b = r64[name]!.data;
      a.forEach((x, i) => expect(Math.abs(x - b[i]!)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b[i]!))));
    }
    // The float64 graph run as float32 gives exactly the float32 graph's results.
    const cast = interpret(small('float64'), smallFeeds, { dtype: 'float32' });
    expect([...cast.z!.data]).toEqual([...outputs.z!.data]);
  });

  it('float32 and float64 agree on random graphs (relative to the largest magnitude)', () => {
    fc.assert(
      fc.property(recipeArb(), rngSeed(), (r, seed) => {
        const g64 = buildRecipe(r);
        const feeds = smoothFeeds(g64, seed, { margin: 1e-2, maxAbs: 1e2 });
        fc.pre(feeds !== undefined);
        const a = interpret(g64, feeds!, { dtype: 'float32' }).loss!.data;
        const b = interpret(g64, feeds!).loss!.data;
        expect(a).toBeInstanceOf(Float32Array);
        expect(Math.abs(a[0]! - b[0]!)).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(b[0]!)));
      }),
      fcParams(50),
    );
  });

  it('interpretAll returns every node value; keepAll values match the outputs', () => {
    const { outputs, values } = interpretAll(g, smallFeeds);
    expect(values).toHaveLength(g.nodes.length);
    expect(values[g.outputs[1]!.id]).toBe(outputs.z);
  });
});
