/**
 * Random graphs for property tests. fast-check generates a plain-data recipe (input shapes and a
 * sequence of steps: unary/binary elementwise ops, matmuls, reductions, slices/concats, softmax,
 * layout ops); `buildRecipe` turns it into a float64 graph with one scalar output `loss`. Every
 * step adapts its operands so that any recipe builds (operands that do not broadcast are reduced
 * first, matmul operands are transposed or replaced to fit), so shrinking always stays valid.
 */
import fc from 'fast-check';
import { buildGraph, concat, crossEntropy, softplus, tryBroadcast, type Graph, type NDArray, type Tensor } from '@cellgrad/graph';
import { Mulberry32 } from './mulberry32.js';
import { kinkDistance } from './kinks.js';
import { seed } from './seed.js';

const UNARY = {
  tanh: (x: Tensor) => x.tanh(),
  sigmoid: (x: Tensor) => x.sigmoid(),
  neg: (x: Tensor) => x.neg(),
  square: (x: Tensor) => x.square(),
  exp: (x: Tensor) => x.tanh().exp(),
  log: (x: Tensor) => x.square().add(0.5).log(),
  sqrt: (x: Tensor) => x.square().add(0.5).sqrt(),
  abs: (x: Tensor) => x.abs(),
  relu: (x: Tensor) => x.relu(),
  clamp: (x: Tensor) => x.clamp(-0.5, 0.7),
  hard_sigmoid_keras: (x: Tensor) => x.mul(3).hardSigmoid('keras'),
  hard_sigmoid_torch: (x: Tensor) => x.mul(4).hardSigmoid('torch'),
  softplus: (x: Tensor) => softplus(x),
  affine: (x: Tensor) => x.mul(0.7).add(0.2),
} as const;

const BINARY = {
  add: (a: Tensor, b: Tensor) => a.add(b),
  sub: (a: Tensor, b: Tensor) => a.sub(b),
  mul: (a: Tensor, b: Tensor) => a.mul(b),
  div: (a: Tensor, b: Tensor) => a.div(b.square().add(1)),
  pow: (a: Tensor, b: Tensor) => a.sigmoid().add(0.5).pow(b.tanh()),
  maximum: (a: Tensor, b: Tensor) => a.maximum(b),
  minimum: (a: Tensor, b: Tensor) => a.minimum(b),
  where: (a: Tensor, b: Tensor) => a.greater(0.1).where(a, b),
} as const;

/** The unary steps a recipe draws from. */
export type UnaryName = keyof typeof UNARY;
/** The binary steps a recipe draws from. */
export type BinaryName = keyof typeof BINARY;

/** One step of a recipe. Operand indices and axes are taken modulo what exists when it runs. */
export type Step =
  | { readonly kind: 'unary'; readonly op: UnaryName; readonly a: number }
  | { readonly kind: 'binary'; readonly op: BinaryName; readonly a: number; readonly b: number }
  | { readonly kind: 'matmul'; readonly a: number; readonly b: number }
  | { readonly kind: 'reduce'; readonly op: 'sum' | 'mean' | 'max'; readonly a: number; readonly axesMask: number; readonly keepDims: boolean }
  | { readonly kind: 'slice'; readonly a: number; readonly axis: number; readonly p: number; readonly q: number }
  | { readonly kind: 'concat'; readonly a: number; readonly b: number; readonly axis: number }
  | { readonly kind: 'softmax'; readonly log: boolean; readonly a: number; readonly axis: number }
  | { readonly kind: 'crossEntropy'; readonly a: number; readonly b: number }
  | { readonly kind: 'layout'; readonly which: 'transpose' | 'reshape' | 'broadcast'; readonly a: number; readonly r: number };

/** A random graph, as data. */
export interface Recipe {
  readonly inputs: readonly (readonly number[])[];
  readonly steps: readonly Step[];
  /** Seed of the constant weights R in the loss Σ sum(v ⊙ R_v). */
  readonly weightSeed: number;
}

const idx = () => fc.nat({ max: 1000 });
const shapeArb = (maxRank = 3) => fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: maxRank });

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('unary' as const), op: fc.constantFrom(...(Object.keys(UNARY) as UnaryName[])), a: idx() }) },
  {
    weight: 4,
    arbitrary: fc.record({ kind: fc.constant('binary' as const), op: fc.constantFrom(...(Object.keys(BINARY) as BinaryName[])), a: idx(), b: idx() }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('matmul' as const), a: idx(), b: idx() }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('reduce' as const),
      op: fc.constantFrom('sum' as const, 'mean' as const, 'max' as const),
      a: idx(),
      axesMask: fc.nat({ max: 7 }),
      keepDims: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('slice' as const), a: idx(), axis: fc.nat({ max: 2 }), p: fc.nat({ max: 5 }), q: fc.nat({ max: 5 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('concat' as const), a: idx(), b: idx(), axis: fc.nat({ max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('softmax' as const), log: fc.boolean(), a: idx(), axis: fc.nat({ max: 2 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('crossEntropy' as const), a: idx(), b: idx() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('layout' as const),
      which: fc.constantFrom('transpose' as const, 'reshape' as const, 'broadcast' as const),
      a: idx(),
      r: fc.nat({ max: 5 }),
    }),
  },
);

/** Recipes over 1–`maxInputs` inputs of rank ≤ 3 with 1–`maxSteps` steps. */
export function recipeArb(options: { maxInputs?: number; maxSteps?: number } = {}): fc.Arbitrary<Recipe> {
  return fc.record({
    inputs: fc.array(shapeArb(), { minLength: 1, maxLength: options.maxInputs ?? 3 }),
    steps: fc.array(stepArb, { minLength: 1, maxLength: options.maxSteps ?? 6 }),
    weightSeed: seed(),
  });
}

const pick = <T>(xs: readonly T[], i: number): T => xs[i % xs.length]!;

function broadcasts(a: Tensor, b: Tensor): boolean {
  return tryBroadcast([a.shape, b.shape]) !== undefined;
}

/** Swap the last two axes of a tensor of rank ≥ 2. */
const swap = (t: Tensor): Tensor => t.T;

/** A matmul of two arbitrary tensors: reshape to ≥ 2-D, then transpose operands until they fit. */
function matmulOf(a: Tensor, b: Tensor): Tensor {
  const as2 = (t: Tensor): Tensor => (t.rank === 0 ? t.reshape([1, 1]) : t.rank === 1 ? t.reshape([1, t.shape[0]!]) : t);
  const A = as2(a);
  const B = as2(b);
  const fits = (x: Tensor, y: Tensor): boolean =>
    x.shape[x.rank - 1] === y.shape[y.rank - 2] && tryBroadcast([x.shape.slice(0, -2), y.shape.slice(0, -2)]) !== undefined;
  for (const [x, y] of [
    [A, B],
    [A, swap(B)],
    [swap(A), B],
    [swap(A), swap(B)],
  ] as const) {
    if (fits(x, y)) return x.matmul(y);
  }
  return A.matmul(swap(A));
}

function applyStep(pool: Tensor[], s: Step): Tensor {
  const a = pick(pool, s.a);
  switch (s.kind) {
    case 'unary':
      return UNARY[s.op](a);
    case 'binary': {
      let y = pick(pool, s.b);
      if (!broadcasts(a, y)) y = y.mean();
      return BINARY[s.op](a, y);
    }
    case 'matmul':
      return matmulOf(a, pick(pool, s.b));
    case 'reduce': {
      const axes = [...a.shape.keys()].filter((i) => (s.axesMask >> i) & 1);
      return s.op === 'sum' ? a.sum(axes, s.keepDims) : s.op === 'mean' ? a.mean(axes, s.keepDims) : a.max(axes, s.keepDims);
    }
    case 'slice': {
      if (a.rank === 0) return a.mul(1.5);
      const axis = s.axis % a.rank;
      const n = a.shape[axis]!;
      const start = s.p % n;
      const end = start + 1 + (s.q % (n - start));
      return a.slice(axis, start, end);
    }
    case 'concat': {
      if (a.rank === 0) return concat([a.reshape([1]), pick(pool, s.b).mean().reshape([1])]);
      const axis = s.axis % a.rank;
      const other = pick(pool, s.b);
      const fits = other.rank === a.rank && other.shape.every((d, i) => i === axis || d === a.shape[i]);
      return concat([a, fits ? other : a.mul(other.mean())], axis);
    }
    case 'softmax': {
      if (a.rank === 0) return a.tanh();
      const axis = s.axis % a.rank;
      return s.log ? a.logSoftmax(axis) : a.softmax(axis);
    }
    case 'crossEntropy': {
      // Soft targets: a softmax of the other operand, broadcast to the logits' shape.
      if (a.rank === 0) return a.sigmoid();
      let t = pick(pool, s.b);
      if (!broadcasts(a, t)) t = t.mean();
      const targets = t.broadcastTo(tryBroadcast([a.shape, t.shape])!).softmax(-1);
      return crossEntropy(a.broadcastTo(targets.shape), targets);
    }
    case 'layout': {
      if (s.which === 'transpose') {
        if (a.rank < 2) return a.reshape([...a.shape, 1]);
        const perms = permutations(a.rank);
        return a.transpose(pick(perms, s.r));
      }
      if (s.which === 'reshape') return a.rank === 1 ? a.reshape([1, a.size]) : a.reshape([a.size]);
      return a.broadcastTo([2, ...a.shape]);
    }
  }
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  for (const p of permutations(n - 1)) {
    for (let i = 0; i <= p.length; i++) out.push([...p.slice(0, i), n - 1, ...p.slice(i)]);
  }
  return out;
}

/**
 * The graph of a recipe: inputs `x0…`, the steps, and `loss` = Σ sum(v ⊙ R_v) over every step
 * result that no later step used (always including the last), with fixed random constants R_v.
 */
export function buildRecipe(r: Recipe): Graph {
  return buildGraph(
    (b) => {
      const inputs = r.inputs.map((shape, i) => b.input(`x${i}`, shape));
      const pool: Tensor[] = [...inputs];
      const used = new Set<number>();
      const results: Tensor[] = [];
      for (const step of r.steps) {
        const t = applyStep(pool, step);
        for (const k of ['a', 'b'] as const) {
          const v = (step as Record<string, unknown>)[k];
          if (typeof v === 'number') used.add(pick(pool, v).id);
        }
        pool.push(t);
        results.push(t);
      }
      const rng = new Mulberry32(r.weightSeed);
      const leaves = results.filter((t, i) => i === results.length - 1 || !used.has(t.id));
      const seen = new Set<number>();
      let loss: Tensor | undefined;
      for (const t of leaves) {
        if (seen.has(t.id)) continue;
        seen.add(t.id);
        const R = b.constant(rng.array(t.size, -1, 1), t.shape);
        const term = t.mul(R).sum();
        loss = loss ? loss.add(term) : term;
      }
      return { loss: loss! };
    },
    { dtype: 'float64' },
  );
}

/** Random float64 feeds for every input of `g`, uniform in [lo, hi). */
export function uniformFeeds(g: Graph, rng: Mulberry32, lo = -1.5, hi = 1.5): Record<string, NDArray> {
  const feeds: Record<string, NDArray> = {};
  for (const p of g.inputs) {
    const shape = g.nodes[p.id]!.shape;
    feeds[p.name] = {
      shape: [...shape],
      data: rng.array(
        shape.reduce((a, d) => a * d, 1),
        lo,
        hi,
      ),
    };
  }
  return feeds;
}

/** Options of `smoothFeeds`. */
export interface SmoothOptions {
  /** Minimum distance from any kink, jump or domain edge (default 1e-3). */
  readonly margin?: number;
  /** Largest magnitude allowed anywhere in the graph (default 1e3). */
  readonly maxAbs?: number;
  /** Attempts before giving up (default 30). */
  readonly attempts?: number;
  /** Value range (default [-1.5, 1.5)). */
  readonly range?: readonly [number, number];
}

/**
 * Feeds for `g` whose evaluation stays `margin` away from every non-smooth point, with every value
 * finite and moderate, resampling up to `attempts` times; `undefined` when none was found.
 */
export function smoothFeeds(g: Graph, seed: number, options: SmoothOptions = {}): Record<string, NDArray> | undefined {
  const rng = new Mulberry32(seed);
  const [lo, hi] = options.range ?? [-1.5, 1.5];
  for (let attempt = 0; attempt < (options.attempts ?? 30); attempt++) {
    const feeds = uniformFeeds(g, rng, lo, hi);
    const k = kinkDistance(g, feeds);
    if (k.finite && k.distance >= (options.margin ?? 1e-3) && k.maxAbs <= (options.maxAbs ?? 1e3)) return feeds;
  }
  return undefined;
}
