/**
 * Algebraic simplification rules, as data. Every rule keeps the node's shape (an operand that was
 * only broadcast by the removed op is broadcast explicitly) and is exact in IEEE arithmetic for
 * every input, NaN and ±∞ included, except that signed zeros are not preserved (x + 0 may turn −0
 * into +0 and back) and except rules marked `assumes: 'finite'`, which the pass applies only when
 * asked (x·0 is NaN when x is ±∞ or NaN).
 */
import { sameShape } from '../ir/shape.js';
import type { Tensor } from '../trace/tensor.js';
import { defineRule, type RuleContext, type RuleNode } from './rules.js';

/** The operand of a binary node other than one whose uniform value is `v` (left or right). */
function besides(n: RuleNode, ctx: RuleContext, v: number, sides: 'both' | 'right' | 'left' = 'both'): Tensor | undefined {
  const [a, b] = n.inputs as [Tensor, Tensor];
  if (sides !== 'left' && ctx.uniform(b) === v) return a;
  if (sides !== 'right' && ctx.uniform(a) === v) return b;
  return undefined;
}

const isIdentity = (perm: readonly number[]): boolean => perm.every((p, i) => p === i);
const LAYOUT = ['reshape', 'transpose', 'broadcast_to', 'slice'];

/** Element-moving, value-keeping and identity rules. */
export const SIMPLIFY_RULES = [
  defineRule({
    name: 'mul-one',
    comment: 'x·1 → x and 1·x → x (broadcast to the product’s shape)',
    ops: ['mul'],
    match: (n, c) => besides(n, c, 1),
    rewrite: (n, x, c) => c.fit(x, n.shape),
  }),
  defineRule({
    name: 'mul-minus-one',
    comment: 'x·(−1) → −x: negation is exact',
    ops: ['mul'],
    match: (n, c) => besides(n, c, -1),
    rewrite: (n, x, c) => c.fit(x.neg(), n.shape),
  }),
  defineRule({
    name: 'mul-zero',
    comment: 'x·0 → 0, exact only for finite x (NaN·0 and ∞·0 are NaN)',
    ops: ['mul'],
    assumes: 'finite',
    match: (n, c) => besides(n, c, 0),
    rewrite: (n, _x, c) => c.fill(0, n.shape, n.dtype),
  }),
  defineRule({
    name: 'add-zero',
    comment: 'x + 0 → x and 0 + x → x',
    ops: ['add'],
    match: (n, c) => besides(n, c, 0),
    rewrite: (n, x, c) => c.fit(x, n.shape),
  }),
  defineRule({
    name: 'sub-zero',
    comment: 'x − 0 → x',
    ops: ['sub'],
    match: (n, c) => besides(n, c, 0, 'right'),
    rewrite: (n, x, c) => c.fit(x, n.shape),
  }),
  defineRule({
    name: 'zero-sub',
    comment: '0 − x → −x',
    ops: ['sub'],
    match: (n, c) => besides(n, c, 0, 'left'),
    rewrite: (n, x, c) => c.fit(x.neg(), n.shape),
  }),
  defineRule({
    name: 'div-one',
    comment: 'x / 1 → x',
    ops: ['div'],
    match: (n, c) => besides(n, c, 1, 'right'),
    rewrite: (n, x, c) => c.fit(x, n.shape),
  }),
  defineRule({
    name: 'pow-one',
    comment: 'x¹ → x (Math.pow(x, 1) is x for every x)',
    ops: ['pow'],
    match: (n, c) => besides(n, c, 1, 'right'),
    rewrite: (n, x, c) => c.fit(x, n.shape),
  }),
  defineRule({
    name: 'pow-two',
    comment: 'x² → square(x): one multiply, and a simpler gradient',
    ops: ['pow'],
    match: (n, c) => besides(n, c, 2, 'right'),
    rewrite: (n, x, c) => c.fit(x.square(), n.shape),
  }),
  defineRule({
    name: 'neg-neg',
    comment: '−(−x) → x',
    ops: ['neg'],
    match: (n, c) => (c.is(n.inputs[0]!, 'neg') ? c.arg(n.inputs[0]!, 0) : undefined),
    rewrite: (_n, x) => x,
  }),
  defineRule({
    name: 'neg-sub',
    comment: '−(a − b) → b − a',
    ops: ['neg'],
    match: (n, c) => (c.is(n.inputs[0]!, 'sub') ? c.def(n.inputs[0]!) : undefined),
    rewrite: (_n, s, c) => c.builder.tensor(s.inputs[1]!).sub(c.builder.tensor(s.inputs[0]!)),
  }),
  defineRule({
    name: 'add-neg',
    comment: 'a + (−b) → a − b and (−a) + b → b − a',
    ops: ['add'],
    match: (n, c) => {
      const [a, b] = n.inputs as [Tensor, Tensor];
      if (c.is(b, 'neg')) return [a, c.arg(b, 0)] as const;
      if (c.is(a, 'neg')) return [b, c.arg(a, 0)] as const;
      return undefined;
    },
    rewrite: (_n, [x, y]) => x.sub(y),
  }),
  defineRule({
    name: 'sub-neg',
    comment: 'a − (−b) → a + b',
    ops: ['sub'],
    match: (n, c) => (c.is(n.inputs[1]!, 'neg') ? c.arg(n.inputs[1]!, 0) : undefined),
    rewrite: (n, y) => n.inputs[0]!.add(y),
  }),
  defineRule({
    name: 'mul-neg-neg',
    comment: '(−a)·(−b) → a·b',
    ops: ['mul'],
    match: (n, c) => (n.inputs.every((t) => c.is(t, 'neg')) ? n.inputs.map((t) => c.arg(t, 0)) : undefined),
    rewrite: (_n, [a, b]) => a!.mul(b!),
  }),
  defineRule({
    name: 'even-of-neg',
    comment: 'square(−x) → square(x) and |−x| → |x|',
    ops: ['square', 'abs'],
    match: (n, c) => (c.is(n.inputs[0]!, 'neg') ? c.arg(n.inputs[0]!, 0) : undefined),
    rewrite: (n, x) => (n.op === 'square' ? x.square() : x.abs()),
  }),
  defineRule({
    name: 'layout-of-uniform',
    comment: 'reshape/transpose/broadcast/slice of a uniform tensor → fill',
    ops: LAYOUT,
    match: (n, c) => c.uniform(n.inputs[0]!),
    rewrite: (n, v, c) => c.fill(v, n.shape, n.dtype),
  }),
  defineRule({
    name: 'transpose-identity',
    comment: 'transpose by the identity permutation → x',
    ops: ['transpose'],
    match: (n) => (isIdentity(n.attrs.perm as number[]) ? n.inputs[0] : undefined),
    rewrite: (_n, x) => x,
  }),
  defineRule({
    name: 'transpose-transpose',
    comment: 'transpose(transpose(x, p), q) → transpose(x, p∘q), or x',
    ops: ['transpose'],
    match: (n, c) => (c.is(n.inputs[0]!, 'transpose') ? c.def(n.inputs[0]!) : undefined),
    rewrite: (n, inner, c) => {
      const p = inner.attrs.perm as number[];
      const perm = (n.attrs.perm as number[]).map((q) => p[q]!);
      const x = c.builder.tensor(inner.inputs[0]!);
      return isIdentity(perm) ? x : x.transpose(perm);
    },
  }),
  defineRule({
    name: 'reshape-same',
    comment: 'reshape to the shape it has → x',
    ops: ['reshape'],
    match: (n) => (sameShape(n.inputs[0]!.shape, n.shape) ? n.inputs[0] : undefined),
    rewrite: (_n, x) => x,
  }),
  defineRule({
    name: 'reshape-reshape',
    comment: 'reshape(reshape(x)) → one reshape (row-major order is kept)',
    ops: ['reshape'],
    match: (n, c) => (c.is(n.inputs[0]!, 'reshape') ? c.arg(n.inputs[0]!, 0) : undefined),
    rewrite: (n, x) => x.reshape(n.shape),
  }),
  defineRule({
    name: 'broadcast-same',
    comment: 'broadcast_to the shape it has → x',
    ops: ['broadcast_to'],
    match: (n) => (sameShape(n.inputs[0]!.shape, n.shape) ? n.inputs[0] : undefined),
    rewrite: (_n, x) => x,
  }),
  defineRule({
    name: 'broadcast-broadcast',
    comment: 'broadcast_to(broadcast_to(x)) → one broadcast_to',
    ops: ['broadcast_to'],
    match: (n, c) => (c.is(n.inputs[0]!, 'broadcast_to') ? c.arg(n.inputs[0]!, 0) : undefined),
    rewrite: (n, x) => x.broadcastTo(n.shape),
  }),
  defineRule({
    name: 'reduce-unit-axes',
    comment: 'sum/mean/max over axes of size 1 only → reshape (one element each)',
    ops: ['sum', 'mean', 'max'],
    match: (n) => ((n.attrs.axes as number[]).every((a) => n.inputs[0]!.shape[a] === 1) ? n.inputs[0] : undefined),
    rewrite: (n, x) => x.reshape(n.shape),
  }),
  defineRule({
    name: 'where-uniform',
    comment: 'where(c, a, b) with a uniform condition → a or b',
    ops: ['where'],
    match: (n, c) => c.uniform(n.inputs[0]!),
    rewrite: (n, v, c) => c.fit(v !== 0 ? n.inputs[1]! : n.inputs[2]!, n.shape),
  }),
];
