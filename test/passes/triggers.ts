/**
 * Random graphs made to trigger the rewrite rules: fast-check picks a sequence of small
 * transformations (multiply by 1, add a broadcast 0, double negation, transpose pairs, reshape
 * chains, split-and-rejoin, pads, sigmoid-then-log, …) applied to a pool of tensors, and the graph's
 * outputs are the pool's tensors with a scalar `loss` = Σ sum(v ⊙ R_v).
 */
import fc from 'fast-check';
import { buildGraph, concat, tryBroadcast, type GraphBuilder, type Graph, type Tensor } from '@cellgrad/graph';
import { Rng } from '../support/fc.js';

type Unary = (t: Tensor, b: GraphBuilder) => Tensor;
type Binary = (t: Tensor, u: Tensor, b: GraphBuilder) => Tensor;

const lastAxis = (t: Tensor) => Math.max(0, t.rank - 1);

/** Transformations of one tensor (any shape). */
export const UNARY_TRIGGERS: Record<string, Unary> = {
  mulOne: (t) => t.mul(1),
  mulMinusOne: (t) => t.mul(-1),
  addZero: (t) => t.add(0),
  subZero: (t) => t.sub(0),
  zeroSub: (t, b) => b.constant(0).sub(t),
  divOne: (t) => t.div(1),
  powOne: (t) => t.pow(1),
  powTwo: (t) => t.pow(2),
  neg: (t) => t.neg(),
  tanh: (t) => t.tanh(),
  square: (t) => t.square(),
  abs: (t) => t.abs(),
  broadcastOne: (t, b) => b.fill(1, [2, ...t.shape]).mul(t),
  broadcastZero: (t, b) => b.fill(0, [2, ...t.shape]).add(t),
  transpose: (t) => (t.rank >= 2 ? t.transpose() : t.reshape([1, ...t.shape])),
  flatten: (t) => t.reshape([t.size]),
  unflatten: (t) => t.reshape([1, ...t.shape]),
  broadcast: (t) => t.broadcastTo([2, ...t.shape]),
  unitSum: (t) => t.reshape([1, ...t.shape]).sum(0),
  splitJoin: (t) => {
    if (t.rank === 0 || t.shape[lastAxis(t)]! < 2) return t.exp();
    const a = lastAxis(t);
    return concat([t.slice(a, 0, 1), t.slice(a, 1, t.shape[a]!)], a);
  },
  padSlice: (t) => (t.rank === 0 ? t.sigmoid() : t.pad(0, 1, 1).slice(0, 1, 1 + t.shape[0]!)),
  splitPads: (t) => {
    if (t.rank === 0 || t.shape[lastAxis(t)]! < 2) return t.neg();
    const a = lastAxis(t);
    const n = t.shape[a]!;
    return t
      .slice(a, 0, 1)
      .pad(a, 0, n - 1)
      .add(t.slice(a, 1, n).tanh().pad(a, 1, 0));
  },
  whereOne: (t, b) => b.fill(1, t.shape).where(t, t.tanh()),
  logSigmoid: (t) => t.sigmoid().log(),
  logOneMinusSigmoid: (t) => t.sigmoid().oneMinus().log(),
  logSoftmax: (t) => (t.rank === 0 ? t.exp().log() : t.softmax(-1).log()),
  manualLogSoftmax: (t) => (t.rank === 0 ? t.exp().add(1).log() : t.sub(t.exp().sum(-1, true).log())),
};

/** Transformations of two tensors (the second is reduced to a scalar when they do not broadcast). */
export const BINARY_TRIGGERS: Record<string, Binary> = {
  addNeg: (t, u) => t.add(u.neg()),
  subNeg: (t, u) => t.sub(u.neg()),
  mulNegNeg: (t, u) => t.neg().mul(u.neg()),
  negSub: (t, u) => t.sub(u).neg(),
  mul: (t, u) => t.mul(u),
};

/** One step: a transformation and the pool indices it applies to. */
export interface TriggerStep {
  readonly op: string;
  readonly a: number;
  readonly b: number;
}

/** A recipe of trigger steps. */
export const triggerRecipeArb = (maxSteps = 8): fc.Arbitrary<TriggerStep[]> =>
  fc.array(fc.record({ op: fc.constantFrom(...Object.keys(UNARY_TRIGGERS), ...Object.keys(BINARY_TRIGGERS)), a: fc.nat(50), b: fc.nat(50) }), {
    minLength: 1,
    maxLength: maxSteps,
  });

/** The float64 graph of a trigger recipe over inputs x [2,3], y [3], z [2,1]. */
export function buildTriggers(steps: readonly TriggerStep[], seed = 1): Graph {
  return buildGraph(
    (b) => {
      const pool: Tensor[] = [b.input('x', [2, 3]), b.input('y', [3]), b.input('z', [2, 1])];
      for (const s of steps) {
        const t = pool[s.a % pool.length]!;
        const unary = UNARY_TRIGGERS[s.op];
        if (unary) {
          pool.push(unary(t, b));
          continue;
        }
        let u = pool[s.b % pool.length]!;
        if (!tryBroadcast([t.shape, u.shape])) u = u.mean();
        pool.push(BINARY_TRIGGERS[s.op]!(t, u, b));
      }
      const rng = new Rng(seed);
      const results = pool.slice(3);
      const loss = results.map((t) => t.mul(b.constant(rng.array(t.size, -1, 1), t.shape)).sum()).reduce((p, q) => p.add(q));
      return { loss, ...Object.fromEntries(results.map((t, i) => [`v${i}`, t])) };
    },
    { dtype: 'float64' },
  );
}
