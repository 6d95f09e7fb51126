/**
 * Every op's VJP against central finite differences, driven from the registry: a newly defined op is
 * picked up automatically. Elementwise ops (those with a scalar function and no attributes) use the
 * default generator (random shapes of rank 0–3, broadcasting operands); every other op needs an
 * entry in CASES below, and the test fails for an op that has neither. Source ops (arity 0) are
 * skipped; piecewise-constant ops must have an all-zero gradient.
 *
 * For each case the graph is loss = sum(op(x0, …) ⊙ R) with a fixed random R; values come from the
 * op's `testDomain` (default [−2, 2]) and are resampled while any value sits within 1e-3 of a kink.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { grad, jvp } from '@cellgrad/autodiff';
import {
  bodyText,
  buildGraph,
  GraphBuilder,
  interpret,
  KEYED_OPS,
  listOps,
  print,
  sizeOf,
  verify,
  type AttrValue,
  type Graph,
  type NDArray,
  type OpDef,
} from '@cellgrad/graph';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import { assertClose, assertGradientsClose, directionalDerivative, numericalGradient } from '../support/fd.js';
import { kinkDistance } from '../support/kinks.js';

/** One generated use of an op: operand shapes, attributes, and optionally value ranges. */
interface OpCase {
  readonly shapes: readonly (readonly number[])[];
  readonly attrs: Record<string, AttrValue>;
  readonly domains?: readonly (readonly [number, number])[];
}

type CaseGen = (op: OpDef) => fc.Arbitrary<OpCase>;

const dim = fc.integer({ min: 1, max: 3 });
const shapeArb = (minRank = 0, maxRank = 3) => fc.array(dim, { minLength: minRank, maxLength: maxRank });

/** A shape that broadcasts to `out`: some leading axes dropped, some axes set to 1. */
function broadcastingShape(out: readonly number[]): fc.Arbitrary<number[]> {
  return fc
    .record({ drop: fc.nat({ max: out.length }), ones: fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }) })
    .map(({ drop, ones }) => out.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d)));
}

/** Operands of a broadcasting op: the first or a later operand may be the "big" one. */
function broadcastingShapes(arity: number): fc.Arbitrary<number[][]> {
  return shapeArb().chain((out) =>
    fc.tuple(
      ...Array.from({ length: arity }, () =>
        fc.oneof(
          fc.constant(out).map((o) => [...o]),
          broadcastingShape(out),
        ),
      ),
    ),
  );
}

/** The default generator for elementwise ops: broadcasting operand shapes, no attributes. */
const elementwiseCase: CaseGen = (op) => broadcastingShapes(op.arity as number).map((shapes) => ({ shapes, attrs: {} }));

/** Which axes subset of a rank-`rank` tensor, as a sorted list. */
const axesOf = (rank: number) => fc.subarray([...Array(rank).keys()]).map((a) => [...a].sort((x, y) => x - y));

const reduceCase: CaseGen = () =>
  shapeArb().chain((shape) =>
    fc.record({ axes: axesOf(shape.length), keepDims: fc.boolean() }).map(({ axes, keepDims }) => ({ shapes: [shape], attrs: { axes, keepDims } })),
  );

const softmaxCase: CaseGen = () => shapeArb(1, 3).chain((shape) => fc.nat({ max: shape.length - 1 }).map((axis) => ({ shapes: [shape], attrs: { axis } })));

/** Per-op case generators for ops that need attributes or special shapes. */
/** A loop body: h′ = tanh(x + h·W), output h′ (shared with the carry) or h′². */
function loopBody(rows: number, cols: number, shared: boolean): Graph {
  return buildGraph(
    (s) => {
      const h = s.input('h', [rows, cols]);
      const x = s.input('x', [rows, cols]);
      const W = s.input('W', [cols, cols]);
      const next = x.add(h.matmul(W)).tanh();
      return { h_next: next, y: shared ? next : next.square() };
    },
    { dtype: 'float64' },
  );
}

const CASES: Record<string, CaseGen> = {
  matmul: () =>
    fc.record({ batch: shapeArb(0, 2), m: dim, k: dim, n: dim }).chain(({ batch, m, k, n }) =>
      fc.tuple(broadcastingShape(batch), broadcastingShape(batch)).map(([ba, bb]) => ({
        shapes: [
          [...ba, m, k],
          [...bb, k, n],
        ],
        attrs: {},
      })),
    ),
  transpose: () =>
    shapeArb().chain((shape) =>
      fc.shuffledSubarray([...shape.keys()], { minLength: shape.length, maxLength: shape.length }).map((perm) => ({ shapes: [shape], attrs: { perm } })),
    ),
  reshape: () =>
    shapeArb().chain((shape) =>
      fc
        .record({
          order: fc.shuffledSubarray([...shape.keys()], { minLength: shape.length, maxLength: shape.length }),
          merge: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
          ones: fc.nat({ max: 2 }),
        })
        .map(({ order, merge, ones }) => {
          // A random factorisation of the same size: permuted dims, some merged, some 1s inserted.
          const dims = order.map((i) => shape[i]!);
          const target: number[] = [];
          dims.forEach((d, i) => (i > 0 && merge[i] ? (target[target.length - 1]! *= d) : target.push(d)));
          for (let j = 0; j < ones; j++) target.splice(j % (target.length + 1), 0, 1);
          return { shapes: [shape], attrs: { shape: target } };
        }),
    ),
  broadcast_to: () => shapeArb().chain((out) => broadcastingShape(out).map((inShape) => ({ shapes: [inShape], attrs: { shape: out } }))),
  concat: () =>
    shapeArb(1, 3).chain((shape) =>
      fc
        .record({ axis: fc.nat({ max: shape.length - 1 }), sizes: fc.array(dim, { minLength: 1, maxLength: 3 }) })
        .map(({ axis, sizes }) => ({ shapes: sizes.map((s) => shape.map((d, i) => (i === axis ? s : d))), attrs: { axis } })),
    ),
  slice: () =>
    shapeArb(1, 3).chain((shape) =>
      fc
        .nat({ max: shape.length - 1 })
        .chain((axis) =>
          fc
            .tuple(fc.nat({ max: shape[axis]! - 1 }), fc.nat({ max: shape[axis]! - 1 }))
            .map(([p, q]) => ({ shapes: [shape], attrs: { axis, start: Math.min(p, q), end: Math.max(p, q) + 1 } })),
        ),
    ),
  pad: () =>
    shapeArb(1, 3).chain((shape) =>
      fc
        .record({ axis: fc.nat({ max: shape.length - 1 }), before: fc.nat({ max: 2 }), after: fc.nat({ max: 2 }) })
        .map((attrs) => ({ shapes: [shape], attrs })),
    ),
  sum: reduceCase,
  mean: reduceCase,
  max: reduceCase,
  variance: reduceCase,
  layer_norm: () => fc.record({ shape: shapeArb(1, 3), eps: fc.constantFrom(1e-5, 1e-3, 0.5) }).map(({ shape, eps }) => ({ shapes: [shape], attrs: { eps } })),
  softmax: softmaxCase,
  log_softmax: softmaxCase,
  loop: () =>
    fc
      .record({ T: dim, rows: dim, cols: dim, reverse: fc.boolean(), save: fc.boolean(), shared: fc.boolean() })
      .map(({ T, rows, cols, reverse, save, shared }) => ({
        shapes: [
          [rows, cols],
          [T, rows, cols],
          [cols, cols],
        ],
        attrs: { body: bodyText(loopBody(rows, cols, shared)), carries: 1, sequences: 1, reverse, save },
      })),
  linear_scan: () =>
    fc.record({ shape: shapeArb(1, 3), reverse: fc.boolean() }).map(({ shape, reverse }) => ({ shapes: [shape, shape, shape.slice(1)], attrs: { reverse } })),
  log_linear_scan: () =>
    fc.record({ shape: shapeArb(1, 3), reverse: fc.boolean() }).map(({ shape, reverse }) => ({ shapes: [shape, shape, shape.slice(1)], attrs: { reverse } })),
  clamp: () =>
    fc
      .record({ shape: shapeArb(), min: fc.double({ min: -1.5, max: 0.5, noNaN: true }), gap: fc.double({ min: 0.5, max: 2, noNaN: true }) })
      .map(({ shape, min, gap }) => ({ shapes: [shape], attrs: { min, max: min + gap } })),
  hard_sigmoid: () =>
    fc
      .record({ shape: shapeArb(), slope: fc.oneof(fc.constantFrom(0.2, 1 / 6), fc.double({ min: 0.1, max: 2, noNaN: true })) })
      // Wide enough that both flat regions (|x| > 0.5/slope) are hit as well as the linear band.
      .map(({ shape, slope }) => ({ shapes: [shape], attrs: { slope }, domains: [[-1.2 / slope, 1.2 / slope]] })),
};

/**
 * Ops whose VJP is a deliberately chosen estimator rather than the derivative (straight-through
 * gates): finite differences cannot confirm them, so each is listed here with its case generator
 * and the formula its VJP must implement, dx = f(x, dy, attrs), checked elementwise instead.
 * Entries run only when the op is registered.
 */
const SURROGATES: Record<string, { readonly cases: CaseGen; readonly dx: (x: number, dy: number, attrs: Record<string, AttrValue>) => number }> = {
  step_ste: {
    cases: () =>
      fc
        .record({ shape: shapeArb(), surrogate: fc.constantFrom('identity', 'sigmoid') })
        .map(({ shape, surrogate }) => ({ shapes: [shape], attrs: { surrogate } })),
    dx: (x, dy, attrs) => {
      if (attrs.surrogate === 'identity') return dy;
      const s = 1 / (1 + Math.exp(-x));
      return dy * s * (1 - s);
    },
  },
};

/**
 * Random ops: their first input is a random key (four integers in [0, 65535]), which is data, not a
 * differentiable value: finite differences cannot perturb it (a non-integer key is refused), and the
 * VJP must pass no gradient to it. Each entry draws keys as integers and checks the key's gradient
 * is exactly zero and the values are in [0, 1).
 */
const KEYED: Record<string, CaseGen> = {
  random_uniform: () =>
    fc.record({ shape: shapeArb(), stream: fc.nat({ max: 2 ** 40 }) }).map(({ shape, stream }) => ({ shapes: [[4]], attrs: { shape, stream } })),
};

/**
 * Test-only ops (registered by other test files that share the registry when vitest runs without
 * isolation) are named with this prefix and are not checked here.
 */
const TEST_OP_PREFIX = '__test_';

const hasDefaultGenerator = (op: OpDef): boolean => op.scalar !== undefined && typeof op.arity === 'number' && op.arity >= 1 && op.checkAttrs === undefined;

const generatorFor = (op: OpDef): CaseGen | undefined =>
  SURROGATES[op.name]?.cases ?? KEYED[op.name] ?? CASES[op.name] ?? (hasDefaultGenerator(op) ? elementwiseCase : undefined);

const ops = listOps().filter((op) => !op.name.startsWith(TEST_OP_PREFIX));
const sources = ops.filter((op) => op.arity === 0);
const piecewise = ops.filter((op) => op.arity !== 0 && op.piecewiseConstant);
const surrogates = ops.filter((op) => op.arity !== 0 && !op.piecewiseConstant && op.name in SURROGATES);
const keyed = ops.filter((op) => KEYED_OPS.has(op.name));
const differentiable = ops.filter((op) => op.arity !== 0 && !op.piecewiseConstant && !(op.name in SURROGATES) && !KEYED_OPS.has(op.name));

/** The graph loss = sum(op(x0, …) ⊙ R) for one case, with R a constant drawn from `rng`. */
function caseGraph(op: OpDef, c: OpCase, rng: Rng): Graph {
  const b = new GraphBuilder('float64');
  const xs = c.shapes.map((s, i) => b.input(`x${i}`, s));
  const y = b.apply(op.name, xs, c.attrs);
  const R = b.constant(rng.array(y.size, -1, 1), y.shape);
  return b.build({ loss: y.mul(R).sum() });
}

/** Feeds drawn from the case's (or the op's) domains, resampled away from kinks; undefined if none found. */
function caseFeeds(g: Graph, op: OpDef, c: OpCase, rng: Rng): Record<string, NDArray> | undefined {
  for (let attempt = 0; attempt < 50; attempt++) {
    const feeds: Record<string, NDArray> = {};
    c.shapes.forEach((s, i) => {
      const [lo, hi] = c.domains?.[i] ?? op.testDomain?.[i] ?? op.testDomain?.[0] ?? [-2, 2];
      feeds[`x${i}`] = { shape: [...s], data: rng.array(sizeOf(s), lo, hi) };
    });
    const k = kinkDistance(g, feeds);
    if (k.finite && k.distance >= 1e-3) return feeds;
  }
  return undefined;
}

describe('op VJPs from the registry', () => {
  it('the registry holds the built-in op set', () => {
    const names = ops.map((o) => o.name);
    for (const name of ['add', 'matmul', 'tanh', 'sigmoid', 'softmax', 'concat', 'sum', 'hard_sigmoid', 'input']) expect(names).toContain(name);
  });

  it('every non-source op has a case generator (the elementwise default or an entry in CASES)', () => {
    const missing = ops.filter((op) => op.arity !== 0 && !generatorFor(op)).map((op) => op.name);
    expect(missing, `ops without a gradient-test case generator: add them to CASES in ${import.meta.url}`).toEqual([]);
  });

  it('CASES names only registered ops (no stale entries)', () => {
    const names = new Set(ops.map((o) => o.name));
    expect(Object.keys(CASES).filter((n) => !names.has(n))).toEqual([]);
  });

  it('every differentiable non-source op has a VJP', () => {
    expect(differentiable.filter((op) => !op.vjp).map((op) => op.name)).toEqual([]);
  });

  /** The case's graph and feeds (a case whose feeds cannot be drawn is discarded), and its gradient graph's outputs. */
  const differentiateCase = (op: OpDef, c: OpCase, seed: number) => {
    const rng = new Rng(seed);
    const g = caseGraph(op, c, rng);
    const feeds = caseFeeds(g, op, c, rng);
    fc.pre(feeds !== undefined);
    const dg = grad(g);
    verify(dg);
    return { g, feeds: feeds!, out: interpret(dg, feeds!) };
  };

  it.each(sources.map((op) => [op.name]))('source op %s has arity 0 and is skipped', (name) => {
    expect(ops.find((o) => o.name === name)!.arity).toBe(0);
  });

  it.each(differentiable.map((op) => [op.name, op] as const))('%s: symbolic gradient equals finite differences', (name, op) => {
    const gen = generatorFor(op);
    expect(gen, `no case generator for op '${name}'`).toBeDefined();
    let checked = 0;
    fc.assert(
      fc.property(gen!(op), rngSeed(), (c, seed) => {
        const { g, feeds, out: analytic } = differentiateCase(op, c, seed);
        const numeric = numericalGradient(g, feeds);
        assertGradientsClose(analytic, numeric, { context: `${name} ${JSON.stringify(c.attrs)} on ${c.shapes.map((s) => `[${s}]`).join(', ')}\n${print(g)}` });
        checked++;
      }),
      fcParams(60),
    );
    expect(checked).toBeGreaterThanOrEqual(Math.floor(fcParams(60).numRuns! / 2));
  });

  it.each(differentiable.map((op) => [op.name, op] as const))('%s: forward mode (jvp, the transposed VJP) equals finite differences along u', (name, op) => {
    fc.assert(
      fc.property(generatorFor(op)!(op), rngSeed(), (c, seed) => {
        const rng = new Rng(seed);
        const g = caseGraph(op, c, rng);
        const feeds = caseFeeds(g, op, c, rng);
        fc.pre(feeds !== undefined);
        const u = Object.fromEntries(Object.entries(feeds!).map(([k, v]) => [k, rng.array(v.data.length)]));
        const tangents = Object.fromEntries(Object.entries(u).map(([k, d]) => [`tan:${k}`, { shape: [...feeds![k]!.shape], data: d }]));
        const out = interpret(jvp(g), { ...feeds!, ...tangents });
        const numeric = directionalDerivative((f) => interpret(g, f), feeds!, u, ['loss']);
        assertClose(out['jvp:loss']!.data, numeric.loss!.data, {}, `${name} ${JSON.stringify(c.attrs)}\n${print(g)}`);
      }),
      fcParams(15),
    );
  });

  it.each(surrogates.map((op) => [op.name, op] as const))('%s: VJP implements its documented surrogate gradient', (name, op) => {
    const spec = SURROGATES[name]!;
    fc.assert(
      fc.property(spec.cases(op), rngSeed(), (c, seed) => {
        const { g, feeds, out } = differentiateCase(op, c, seed);
        // loss = sum(op(x) ⊙ R): the cotangent reaching op is R (the constant in the graph).
        const sumNode = g.nodes[g.outputs[0]!.id]!;
        const mulNode = g.nodes[sumNode.inputs[0]!]!;
        const r = g.nodes[mulNode.inputs[1]!]!.attrs.data as number[];
        const x = feeds.x0!.data;
        const dx = out['grad:x0']!.data;
        for (let i = 0; i < x.length; i++) expect(dx[i]!).toBeCloseTo(spec.dx(x[i]!, r[i]!, c.attrs), 12);
      }),
      fcParams(30),
    );
  });

  it('every random (keyed) op has a case generator in KEYED', () => {
    expect(keyed.map((op) => op.name).filter((n) => !(n in KEYED))).toEqual([]);
  });

  it.each(keyed.map((op) => [op.name, op] as const))('%s passes no gradient to its key; values in [0, 1)', (name, op) => {
    fc.assert(
      fc.property(KEYED[name]!(op), rngSeed(), (c, seed) => {
        const rng = new Rng(seed);
        const g = caseGraph(op, c, rng);
        const key = { shape: [4], data: Float64Array.from({ length: 4 }, () => rng.int(0, 0xffff)) };
        const out = interpret(grad(g), { x0: key });
        expect([...out['grad:x0']!.data]).toEqual([0, 0, 0, 0]);
        const y = new GraphBuilder('float64');
        const u = interpret(y.build({ u: y.apply(op.name, [y.input('k', [4])], c.attrs) }), { k: key }).u!;
        expect([...u.data].every((v) => v >= 0 && v < 1)).toBe(true);
      }),
      fcParams(20),
    );
  });

  it.each(piecewise.map((op) => [op.name, op] as const))('%s is piecewise constant: its gradient is zero', (name, op) => {
    const gen = generatorFor(op);
    expect(gen, `no case generator for op '${name}'`).toBeDefined();
    fc.assert(
      fc.property(gen!(op), rngSeed(), (c, seed) => {
        const { g, feeds, out } = differentiateCase(op, c, seed);
        const numeric = numericalGradient(g, feeds);
        c.shapes.forEach((s, i) => {
          const a = out[`grad:x${i}`]!;
          expect(a.shape).toEqual(s);
          expect([...a.data].every((v) => v === 0)).toBe(true);
          expect([...numeric[`x${i}`]!.data].every((v) => v === 0)).toBe(true);
        });
      }),
      fcParams(20),
    );
  });
});
