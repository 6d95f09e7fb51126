/**
 * Pass: numerical stabilisation, as rules. Rewrites expressions that overflow, underflow or cancel
 * into their stable forms: log σ(x) → −softplus(−x), log(1 − σ(x)) → −softplus(x), log softmax →
 * log_softmax (so −Σ t·log softmax(z), the cross-entropy on logits, becomes the stable
 * −Σ t·log_softmax(z)), hand-written sigmoid, softmax and log-softmax → the stable ops,
 * log(1 + eˣ) and the max/abs form of softplus → the softplus op, log eˣ → x. Values agree wherever
 * the original did not overflow or lose digits; elsewhere the new form is the accurate one.
 */
import type { Graph } from '../ir/node.js';
import { sameShape } from '../ir/shape.js';
import type { Tensor } from '../trace/tensor.js';
import { softplus } from '../ops/softplus.js';
import { applyRules, defineRule, type RuleContext, type RulesResult } from './rules.js';

/** The `[axis]` of a keep-dims sum, when `t` is one over a single axis. */
function keptSumAxis(t: Tensor, c: RuleContext): number | undefined {
  if (!c.is(t, 'sum')) return undefined;
  const { axes, keepDims } = c.def(t).attrs as { axes: number[]; keepDims: boolean };
  return keepDims && axes.length === 1 ? axes[0] : undefined;
}

/** Rules of the stabilisation pass. */
export const STABILIZE_RULES = [
  defineRule({
    name: 'log-sigmoid',
    comment: 'log σ(x) → −softplus(−x): no log(0) for very negative x, no cancellation for large x',
    ops: ['log'],
    match: (n, c) => (c.is(n.inputs[0]!, 'sigmoid') ? c.arg(n.inputs[0]!, 0) : undefined),
    rewrite: (_n, x) => softplus(x.neg()).neg(),
  }),
  defineRule({
    name: 'log-one-minus-sigmoid',
    comment: 'log(1 − σ(x)) → −softplus(x), since 1 − σ(x) = σ(−x)',
    ops: ['log'],
    match: (n, c) => {
      const t = n.inputs[0]!;
      if (!c.is(t, 'sub') || c.uniform(c.arg(t, 0)) !== 1 || !c.is(c.arg(t, 1), 'sigmoid')) return undefined;
      return c.arg(c.arg(t, 1), 0);
    },
    rewrite: (n, x, c) => c.fit(softplus(x).neg(), n.shape),
  }),
  defineRule({
    name: 'log-softmax',
    comment: 'log softmax(x) → log_softmax(x): no log 0 = −∞ when a probability underflows (cross-entropy on logits)',
    ops: ['log'],
    match: (n, c) => (c.is(n.inputs[0]!, 'softmax') ? c.def(n.inputs[0]!) : undefined),
    rewrite: (_n, s, c) => c.builder.tensor(s.inputs[0]!).logSoftmax(s.attrs.axis as number),
  }),
  defineRule({
    name: 'log-exp',
    comment: 'log eˣ → x (no overflow to ∞ for large x)',
    ops: ['log'],
    match: (n, c) => (c.is(n.inputs[0]!, 'exp') ? c.arg(n.inputs[0]!, 0) : undefined),
    rewrite: (_n, x) => x,
  }),
  defineRule({
    name: 'log-one-plus-exp',
    comment: 'log(1 + eˣ) → softplus(x) (no overflow for large x)',
    ops: ['log'],
    match: (n, c) => {
      const t = n.inputs[0]!;
      if (!c.is(t, 'add')) return undefined;
      const [a, b] = [c.arg(t, 0), c.arg(t, 1)];
      const e = c.uniform(b) === 1 ? a : c.uniform(a) === 1 ? b : undefined;
      return e && c.is(e, 'exp') && sameShape(e.shape, n.shape) ? c.arg(e, 0) : undefined;
    },
    rewrite: (_n, x) => softplus(x),
  }),
  defineRule({
    name: 'softplus-composite',
    comment: 'relu(x) + softplus(−|x|) (the traced softplus) → softplus(x): one op',
    ops: ['add'],
    match: (n, c) => {
      const [a, b] = n.inputs as [Tensor, Tensor];
      for (const [r, s] of [
        [a, b],
        [b, a],
      ] as const) {
        if (!c.is(r, 'relu') || !c.is(s, 'softplus')) continue;
        const x = c.arg(r, 0);
        const na = c.arg(s, 0);
        if (c.is(na, 'neg') && c.is(c.arg(na, 0), 'abs') && c.arg(c.arg(na, 0), 0).id === x.id) return x;
      }
      return undefined;
    },
    rewrite: (_n, x) => softplus(x),
  }),
  defineRule({
    name: 'manual-sigmoid',
    comment: 'eˣ / (eˣ + 1) and 1 / (1 + e^−x) → σ(x): no ∞/∞ = NaN for large x',
    ops: ['div'],
    match: (n, c) => {
      const [a, d] = n.inputs as [Tensor, Tensor];
      if (!c.is(d, 'add') || !sameShape(a.shape, n.shape) || !sameShape(d.shape, n.shape)) return undefined;
      const [p, q] = [c.arg(d, 0), c.arg(d, 1)];
      const e = c.uniform(q) === 1 ? p : c.uniform(p) === 1 ? q : undefined;
      if (!e || !c.is(e, 'exp')) return undefined;
      if (e.id === a.id) return c.arg(e, 0);
      const m = c.arg(e, 0);
      return c.uniform(a) === 1 && c.is(m, 'neg') ? c.arg(m, 0) : undefined;
    },
    rewrite: (_n, x) => x.sigmoid(),
  }),
  defineRule({
    name: 'manual-softmax',
    comment: 'eᶻ / Σ eᶻ (keep-dims sum over one axis) → softmax(z): shifted by the max, no overflow',
    ops: ['div'],
    match: (n, c) => {
      const [e, s] = n.inputs as [Tensor, Tensor];
      const axis = keptSumAxis(s, c);
      return axis !== undefined && c.is(e, 'exp') && c.arg(s, 0).id === e.id ? { z: c.arg(e, 0), axis } : undefined;
    },
    rewrite: (_n, { z, axis }) => z.softmax(axis),
  }),
  defineRule({
    name: 'manual-log-softmax',
    comment: 'z − log Σ eᶻ (keep-dims sum over one axis) → log_softmax(z)',
    ops: ['sub'],
    match: (n, c) => {
      const [z, l] = n.inputs as [Tensor, Tensor];
      if (!c.is(l, 'log')) return undefined;
      const s = c.arg(l, 0);
      const axis = keptSumAxis(s, c);
      if (axis === undefined || !c.is(c.arg(s, 0), 'exp') || c.arg(c.arg(s, 0), 0).id !== z.id) return undefined;
      return sameShape(z.shape, n.shape) ? { z, axis } : undefined;
    },
    rewrite: (_n, { z, axis }) => z.logSoftmax(axis),
  }),
];

/** `g` with the stabilisation rules applied until none fires, with statistics. */
export function stabilizeWithStats(g: Graph): RulesResult {
  return applyRules(g, STABILIZE_RULES);
}

/**
 * Pass: numerically stable forms of log∘sigmoid, log(1−sigmoid), log∘softmax (cross-entropy on
 * logits), hand-written sigmoid/softmax/log-softmax/softplus and log∘exp.
 * @example
 * stabilize(buildGraph((b) => ({ y: b.input('x', [3]).sigmoid().log() })))  // −softplus(−x)
 */
export function stabilize(g: Graph): Graph {
  return stabilizeWithStats(g).graph;
}
