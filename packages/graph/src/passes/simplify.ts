/** Pass: algebraic simplification with the rule lists of simplify-rules.ts and slice-rules.ts. */
import type { Graph } from '../ir/node.js';
import { applyRules, type ApplyRulesOptions, type Rule, type RulesResult } from './rules.js';
import { SIMPLIFY_RULES } from './simplify-rules.js';
import { SLICE_RULES } from './slice-rules.js';

/** Every algebraic rule, in the order they are tried. */
export const ALGEBRAIC_RULES: readonly Rule[] = [...SIMPLIFY_RULES, ...SLICE_RULES];

/** Options of `simplify`. */
export type SimplifyOptions = ApplyRulesOptions;

/**
 * `g` rewritten by the algebraic rules until none applies, with statistics.
 * @example
 * simplifyWithStats(g).fired['neg-neg'] // how often −(−x) was removed
 */
export function simplifyWithStats(g: Graph, options: SimplifyOptions = {}): RulesResult {
  return applyRules(g, ALGEBRAIC_RULES, options);
}

/**
 * Pass: `g` rewritten by the algebraic rules until none applies. Exact in IEEE arithmetic (signed
 * zeros aside); rules assuming finite values (x·0 → 0) run only with `{ assumeFinite: true }`.
 */
export function simplify(g: Graph, options: SimplifyOptions = {}): Graph {
  return simplifyWithStats(g, options).graph;
}
