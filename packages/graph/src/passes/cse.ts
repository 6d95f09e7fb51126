/**
 * Pass: common-subexpression elimination. Re-interning every node through a fresh builder merges
 * nodes with the same op, inputs and attributes (the builder hash-conses). Two things hash-consing
 * alone misses are canonicalised first: the operands of commutative ops (add, mul, equal,
 * not_equal) are put in id order, so a+b and b+a meet; and a constant whose elements are all equal
 * becomes a `fill`, so `constant 1` and `fill 1` meet.
 */
import type { Graph } from '../ir/node.js';
import { rebuild } from './rebuild.js';

/** Ops whose two operands may be swapped without changing any value or gradient. */
const COMMUTATIVE = new Set(['add', 'mul', 'equal', 'not_equal']);

/** The single value of a uniform numeric array, or `undefined`. */
export function uniformValue(data: readonly number[]): number | undefined {
  const v = data[0];
  if (v === undefined) return undefined;
  for (let i = 1; i < data.length; i++) if (!Object.is(data[i], v)) return undefined;
  return v;
}

/**
 * `g` with duplicate computations merged and dead nodes dropped.
 * @example
 * eliminateCommonSubexpressions(g).nodes.length <= g.nodes.length // true
 */
export function eliminateCommonSubexpressions(g: Graph): Graph {
  if (isCanonical(g)) return g;
  return rebuild(g, (node, ctx) => {
    if (node.op === 'constant') {
      const v = uniformValue(node.attrs.data as number[]);
      return v === undefined ? undefined : ctx.builder.fill(v, node.shape, node.dtype);
    }
    if (!COMMUTATIVE.has(node.op)) return undefined;
    const a = ctx.get(node.inputs[0]!);
    const b = ctx.get(node.inputs[1]!);
    return a.id <= b.id ? ctx.copy(node, [a, b]) : ctx.copy(node, [b, a]);
  });
}

/** True when `g` has no duplicate node, no uniform constant and no commutative op out of order. */
function isCanonical(g: Graph): boolean {
  const seen = new Set<string>();
  for (const n of g.nodes) {
    if (n.op === 'input') continue;
    if (n.op === 'constant' && uniformValue(n.attrs.data as number[]) !== undefined) return false;
    if (COMMUTATIVE.has(n.op) && n.inputs[0]! > n.inputs[1]!) return false;
    const key = `${n.op}|${n.dtype}|${n.inputs.join(',')}|${JSON.stringify(n.attrs)}`;
    if (seen.has(key)) return false;
    seen.add(key);
  }
  return true;
}
