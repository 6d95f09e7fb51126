/**
 * Kernels against the naive coordinate-by-coordinate reference in test/support/reference.ts, on
 * random shapes and attributes: broadcasting elementwise ops (every registered one, through its
 * scalar function), reductions, transpose, batched matmul, concat/slice/pad, softmax.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { GraphBuilder, interpret, listOps, type AttrValue } from '@cellgrad/graph';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import * as R from '../support/reference.js';

const dim = fc.integer({ min: 1, max: 3 });
const shapeArb = (minRank = 0, maxRank = 3) => fc.array(dim, { minLength: minRank, maxLength: maxRank });
const broadcastingShape = (out: readonly number[]) =>
  fc
    .record({ drop: fc.nat({ max: out.length }), ones: fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }) })
    .map(({ drop, ones }) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));

/** Run one op on constant operands in float64 and return its value as a Ref. */
function kernel(op: string, xs: readonly R.Ref[], attrs: Record<string, AttrValue> = {}): R.Ref {
  const b = new GraphBuilder('float64');
  const ins = xs.map((x, i) => b.input(`x${i}`, x.shape));
  const g = b.build({ y: b.apply(op, ins, attrs) });
  const feeds = Object.fromEntries(xs.map((x, i) => [`x${i}`, { shape: x.shape, data: Float64Array.from(x.data) }]));
  const y = interpret(g, feeds).y!;
  return { shape: [...y.shape], data: [...y.data] };
}

function expectSame(got: R.Ref, want: R.Ref, tol = 1e-12): void {
  expect(got.shape).toEqual(want.shape);
  got.data.forEach((v, i) => {
    const w = want.data[i]!;
    if (Number.isNaN(w)) expect(v).toBeNaN();
    else if (!Number.isFinite(w)) expect(v).toBe(w);
    else expect(Math.abs(v - w), `element ${i}: ${v} vs ${w}`).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(w)));
  });
}

const values = (rng: Rng, shape: readonly number[], lo = -2, hi = 2): R.Ref => ({ shape, data: [...rng.array(R.size(shape), lo, hi)] });

const elementwiseOps = listOps().filter((op) => op.scalar !== undefined && typeof op.arity === 'number' && op.arity >= 1 && !op.checkAttrs);

describe('kernels against a naive reference', () => {
  it.each(elementwiseOps.map((op) => [op.name, op] as const))('%s broadcasts like numpy', (_, op) => {
    const arity = op.arity as number;
    fc.assert(
      fc.property(
        shapeArb().chain((out) =>
          fc.tuple(
            ...Array.from({ length: arity }, () =>
              fc.oneof(
                fc.constant(out).map((o) => [...o]),
                broadcastingShape(out),
              ),
            ),
          ),
        ),
        rngSeed(),
        (shapes, seed) => {
          const rng = new Rng(seed);
          const xs = shapes.map((s, i) => {
            const [lo, hi] = op.testDomain?.[i] ?? [-2, 2];
            // Some exact duplicates, so comparisons and ties are exercised.
            return { shape: s, data: [...rng.array(R.size(s), lo, hi)].map((v) => (rng.next() < 0.3 ? Math.round(v) : v)) };
          });
          expectSame(kernel(op.name, xs), R.elementwise(op.scalar!, ...xs), 0);
        },
      ),
      fcParams(40),
    );
  });

  it('clamp and hard_sigmoid (attribute elementwise ops)', () => {
    fc.assert(
      fc.property(shapeArb(), rngSeed(), fc.double({ min: -1, max: 1, noNaN: true }), fc.double({ min: 0.05, max: 1, noNaN: true }), (s, seed, lo, slope) => {
        const x = values(new Rng(seed), s, -6, 6);
        expectSame(
          kernel('clamp', [x], { min: lo, max: lo + 0.5 }),
          R.elementwise((v) => Math.min(lo + 0.5, Math.max(lo, v)), x),
          0,
        );
        expectSame(
          kernel('hard_sigmoid', [x], { slope }),
          R.elementwise((v) => Math.min(1, Math.max(0, slope * v + 0.5)), x),
          0,
        );
      }),
      fcParams(40),
    );
  });

  it('sum, mean and max over random axes, with and without keepDims', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((s) => fc.record({ s: fc.constant(s), axes: fc.subarray([...s.keys()]).map((a) => [...a].sort()), keepDims: fc.boolean() })),
        rngSeed(),
        ({ s, axes, keepDims }, seed) => {
          const x = values(new Rng(seed), s);
          const attrs = { axes, keepDims };
          expectSame(
            kernel('sum', [x], attrs),
            R.reduce(x, axes, keepDims, 0, (a, b) => a + b),
          );
          expectSame(
            kernel('mean', [x], attrs),
            R.reduce(
              x,
              axes,
              keepDims,
              0,
              (a, b) => a + b,
              (a, n) => a / n,
            ),
          );
          expectSame(kernel('max', [x], attrs), R.reduce(x, axes, keepDims, -Infinity, Math.max), 0);
        },
      ),
      fcParams(60),
    );
  });

  it('transpose with every permutation of random shapes up to rank 4', () => {
    fc.assert(
      fc.property(
        shapeArb(0, 4).chain((s) => fc.record({ s: fc.constant(s), perm: fc.shuffledSubarray([...s.keys()], { minLength: s.length, maxLength: s.length }) })),
        rngSeed(),
        ({ s, perm }, seed) => {
          const x = values(new Rng(seed), s);
          expectSame(kernel('transpose', [x], { perm }), R.transpose(x, perm), 0);
        },
      ),
      fcParams(60),
    );
  });

  it('batched matmul with broadcasting batch axes', () => {
    fc.assert(
      fc.property(
        fc
          .record({ batch: shapeArb(0, 3), m: dim, k: fc.integer({ min: 1, max: 4 }), n: dim })
          .chain((r) => fc.record({ r: fc.constant(r), ba: broadcastingShape(r.batch), bb: broadcastingShape(r.batch) })),
        rngSeed(),
        ({ r, ba, bb }, seed) => {
          const rng = new Rng(seed);
          const a = values(rng, [...ba, r.m, r.k]);
          const b = values(rng, [...bb, r.k, r.n]);
          expectSame(kernel('matmul', [a, b]), R.matmul(a, b));
        },
      ),
      fcParams(60),
    );
  });

  it('concat, slice and pad along random axes', () => {
    fc.assert(
      fc.property(
        shapeArb(1, 3).chain((s) =>
          fc.record({
            s: fc.constant(s),
            axis: fc.nat({ max: s.length - 1 }),
            sizes: fc.array(dim, { minLength: 1, maxLength: 3 }),
            p: fc.nat({ max: 10 }),
            q: fc.nat({ max: 10 }),
            before: fc.nat({ max: 2 }),
            after: fc.nat({ max: 2 }),
          }),
        ),
        rngSeed(),
        ({ s, axis, sizes, p, q, before, after }, seed) => {
          const rng = new Rng(seed);
          const parts = sizes.map((n) =>
            values(
              rng,
              s.map((d, i) => (i === axis ? n : d)),
            ),
          );
          expectSame(kernel('concat', parts, { axis }), R.concat(parts, axis), 0);
          const x = parts[0]!;
          const len = x.shape[axis]!;
          const start = p % len;
          const end = start + 1 + (q % (len - start));
          expectSame(kernel('slice', [x], { axis, start, end }), R.slice(x, axis, start, end), 0);
          expectSame(kernel('pad', [x], { axis, before, after }), R.pad(x, axis, before, after), 0);
        },
      ),
      fcParams(60),
    );
  });

  it('softmax and log_softmax along a random axis, including huge logits', () => {
    fc.assert(
      fc.property(
        shapeArb(1, 3).chain((s) => fc.record({ s: fc.constant(s), axis: fc.nat({ max: s.length - 1 }), scale: fc.constantFrom(1, 10, 1000) })),
        rngSeed(),
        ({ s, axis, scale }, seed) => {
          const x = values(new Rng(seed), s, -scale, scale);
          const sm = kernel('softmax', [x], { axis });
          expectSame(sm, R.softmax(x, axis, false), 1e-12);
          expectSame(kernel('log_softmax', [x], { axis }), R.softmax(x, axis, true), 1e-12);
          // Each slice along the axis sums to 1.
          R.reduce(sm, [axis], false, 0, (a, b) => a + b).data.forEach((t) => expect(t).toBeCloseTo(1, 12));
        },
      ),
      fcParams(60),
    );
  });

  it('reshape and broadcast_to', () => {
    fc.assert(
      fc.property(
        shapeArb().chain((out) => fc.record({ out: fc.constant(out), inShape: broadcastingShape(out) })),
        rngSeed(),
        ({ out, inShape }, seed) => {
          const x = values(new Rng(seed), inShape);
          expectSame(
            kernel('broadcast_to', [x], { shape: out }),
            R.elementwise((v) => v, x, { shape: out, data: new Array(R.size(out)).fill(0) }),
            0,
          );
          expectSame(kernel('reshape', [x], { shape: [R.size(inShape)] }), { shape: [R.size(inShape)], data: x.data }, 0);
        },
      ),
      fcParams(40),
    );
  });
});
