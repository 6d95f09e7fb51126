/**
 * Is a state's next value a linear recurrence h' = a ⊙ h + b, with a and b reached by no state?
 * `linearForm` walks the expression of the next value down to the state through `add`, `sub`,
 * `neg` and `mul` by a state-free factor; anything else that depends on a state breaks the form. The
 * coefficients come back as sums of signed products of state-free nodes (the empty product is 1).
 */
import type { Graph } from '../ir/node.js';

/** A signed product of node ids (each reached by no state); `factors: []` is the number 1. */
export interface LinearTerm {
  readonly sign: 1 | -1;
  readonly factors: readonly number[];
}

/** h' = (Σ a-terms) ⊙ h + (Σ b-terms). An empty sum is 0. */
export interface LinearForm {
  readonly a: readonly LinearTerm[];
  readonly b: readonly LinearTerm[];
}

/** The form, or the reason there is none. */
export type LinearResult = { readonly ok: true; readonly form: LinearForm } | { readonly ok: false; readonly reason: string };

const negate = (ts: readonly LinearTerm[]): LinearTerm[] => ts.map((t) => ({ sign: t.sign === 1 ? -1 : 1, factors: t.factors }));
const scale = (ts: readonly LinearTerm[], f: number): LinearTerm[] => ts.map((t) => ({ sign: t.sign, factors: [...t.factors, f] }));

/**
 * The linear form of node `id` in the state input `state`. `stateful` holds every node reached by
 * some state (including the state inputs); all other nodes are constants of the form.
 * @example
 * linearForm(g, hNext, hInput, reachedByState) // { ok: true, form: { a: [{ sign: 1, factors: [%12] }], b: [...] } }
 */
export function linearForm(g: Graph, id: number, state: number, stateful: ReadonlySet<number>): LinearResult {
  const memo = new Map<number, LinearResult>();
  const walk = (n: number): LinearResult => {
    const hit = memo.get(n);
    if (hit) return hit;
    const r = visit(n);
    memo.set(n, r);
    return r;
  };
  const visit = (n: number): LinearResult => {
    if (n === state) return { ok: true, form: { a: [{ sign: 1, factors: [] }], b: [] } };
    if (!stateful.has(n)) return { ok: true, form: { a: [], b: [{ sign: 1, factors: [n] }] } };
    const node = g.nodes[n]!;
    const bad = (why: string): LinearResult => ({ ok: false, reason: `%${n} = ${node.op}: ${why}` });
    if (node.op === 'input') return bad(`reads state input '${node.attrs.name as string}', not the state itself`);
    const [p, q] = node.inputs;
    switch (node.op) {
      case 'add':
      case 'sub': {
        const l = walk(p!);
        const r = walk(q!);
        if (!l.ok) return l;
        if (!r.ok) return r;
        const rb = node.op === 'sub' ? negate(r.form.b) : r.form.b;
        const ra = node.op === 'sub' ? negate(r.form.a) : r.form.a;
        return { ok: true, form: { a: [...l.form.a, ...ra], b: [...l.form.b, ...rb] } };
      }
      case 'neg': {
        const l = walk(p!);
        return l.ok ? { ok: true, form: { a: negate(l.form.a), b: negate(l.form.b) } } : l;
      }
      case 'mul': {
        if (stateful.has(p!) && stateful.has(q!)) return bad('a product of two values that both depend on a state');
        const [v, f] = stateful.has(p!) ? [p!, q!] : [q!, p!];
        const l = walk(v);
        return l.ok ? { ok: true, form: { a: scale(l.form.a, f), b: scale(l.form.b, f) } } : l;
      }
      default:
        return bad(`'${node.op}' of a value that depends on a state (only +, −, negation and products with state-free factors keep a recurrence linear)`);
    }
  };
  return walk(id);
}
