/**
 * Rewrite rules as data, and the engine that applies a list of them. A rule names the ops it looks
 * at, matches a node of the graph being rebuilt (its inputs are already rewritten, so a rule sees
 * simplified operands), and builds the replacement with tensor methods; the engine checks that the
 * replacement keeps the node's shape and dtype and repeats until no rule fires.
 */
import type { DType } from '../ir/dtype.js';
import type { Attrs, Graph, Node } from '../ir/node.js';
import type { Shape } from '../ir/shape.js';
import { GraphBuilder } from '../trace/builder.js';
import type { Tensor } from '../trace/tensor.js';
import { uniformValue } from './cse.js';
import { rebuild } from './rebuild.js';

/** A node as a rule sees it: its op and attributes, with its inputs as tensors of the new graph. */
export interface RuleNode {
  readonly op: string;
  readonly attrs: Attrs;
  readonly inputs: readonly Tensor[];
  readonly shape: Shape;
  readonly dtype: DType;
}

/** Helpers a rule matches and rewrites with. */
export interface RuleContext {
  readonly builder: GraphBuilder;
  /** The node producing `t` (in the new graph). */
  def(t: Tensor): Node;
  /** True when `t` is produced by op `op`. */
  is(t: Tensor, op: string): boolean;
  /** Input `k` of the node producing `t`. */
  arg(t: Tensor, k: number): Tensor;
  /** The value of every element of `t` when `t` is a `fill` or a constant with equal elements. */
  uniform(t: Tensor): number | undefined;
  /** `t` broadcast to `shape` (itself when it has that shape already). */
  fit(t: Tensor, shape: Shape): Tensor;
  /** A `fill` of `value`. */
  fill(value: number, shape: Shape, dtype: DType): Tensor;
}

/** One rewrite rule. `match` returns what `rewrite` needs, or `undefined` when it does not apply. */
export interface Rule<M = unknown> {
  /** Short kebab-case name (reported in statistics). */
  readonly name: string;
  /** One line: what it does and why it is safe. */
  readonly comment: string;
  /** The ops of the nodes it may match. */
  readonly ops: readonly string[];
  /** Set when the rule is exact only for finite values; applied only with `assumeFinite`. */
  readonly assumes?: 'finite';
  /** What the rewrite needs when the rule applies at `n`, else `undefined`. */
  readonly match: (n: RuleNode, ctx: RuleContext) => M | undefined;
  /** The replacement of `n`, built with `ctx.builder` from what `match` returned. */
  readonly rewrite: (n: RuleNode, m: M, ctx: RuleContext) => Tensor;
}

/** Type-erase a rule so rules with different match results share one list. */
export function defineRule<M>(rule: Rule<M>): Rule {
  return rule as unknown as Rule;
}

/** Options of `applyRules`. */
export interface ApplyRulesOptions {
  /** Also apply rules that assume every value is finite (e.g. x·0 → 0). Default false. */
  readonly assumeFinite?: boolean;
  /** Give up after this many rounds (default 32). */
  readonly maxRounds?: number;
}

/** What `applyRules` returns: the graph and how often each rule fired. */
export interface RulesResult {
  readonly graph: Graph;
  readonly fired: Readonly<Record<string, number>>;
  readonly rounds: number;
}

function shapeEq(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function ruleContext(b: GraphBuilder): RuleContext {
  const ctx: RuleContext = {
    builder: b,
    def: (t) => b.node(t.id),
    is: (t, op) => b.node(t.id).op === op,
    arg: (t, k) => b.tensor(b.node(t.id).inputs[k]!),
    uniform: (t) => {
      const n = b.node(t.id);
      if (n.op === 'fill') return n.attrs.value as number;
      if (n.op === 'constant') return uniformValue(n.attrs.data as number[]);
      return undefined;
    },
    fit: (t, shape) => (shapeEq(t.shape, shape) ? t : t.broadcastTo(shape)),
    fill: (value, shape, dtype) => b.fill(value, shape, dtype),
  };
  return ctx;
}

/** The first rule of `list` matching `view`, with its match. */
function firstMatch(list: readonly Rule[], view: RuleNode, ctx: RuleContext): { rule: Rule; m: unknown } | undefined {
  for (const rule of list) {
    const m = rule.match(view, ctx);
    if (m !== undefined) return { rule, m };
  }
  return undefined;
}

/** True when some rule matches some node of `g` (a dry run: nothing is built). */
function anyMatch(g: Graph, byOp: ReadonlyMap<string, readonly Rule[]>): boolean {
  if (!g.nodes.some((n) => byOp.has(n.op))) return false;
  const { builder } = GraphBuilder.extend(g);
  const ctx = ruleContext(builder);
  for (const node of g.nodes) {
    const list = byOp.get(node.op);
    if (!list) continue;
    const view: RuleNode = { op: node.op, attrs: node.attrs, inputs: node.inputs.map((i) => builder.tensor(i)), shape: node.shape, dtype: node.dtype };
    if (list.some((rule) => rule.match(view, ctx) !== undefined)) return true;
  }
  return false;
}

/**
 * Rewrite `g` with `rules` until none fires (one rebuild per round; the first matching rule of a
 * node wins). Pure: returns a new frozen graph, or `g` itself when no rule matches anywhere.
 * @example
 * const { graph, fired } = applyRules(g, SIMPLIFY_RULES);
 */
export function applyRules(g: Graph, rules: readonly Rule[], options: ApplyRulesOptions = {}): RulesResult {
  const active = rules.filter((r) => r.assumes !== 'finite' || options.assumeFinite === true);
  const byOp = new Map<string, Rule[]>();
  for (const r of active) for (const op of r.ops) byOp.set(op, [...(byOp.get(op) ?? []), r]);
  const fired: Record<string, number> = {};
  let graph = g;
  let rounds = 0;
  const max = options.maxRounds ?? 32;
  while (rounds < max && anyMatch(graph, byOp)) {
    rounds++;
    let count = 0;
    graph = rebuild(graph, (node, r) => {
      if (!byOp.has(node.op)) return undefined;
      const inputs = node.inputs.map(r.get);
      const ctx = ruleContext(r.builder);
      let view: RuleNode = { op: node.op, attrs: node.attrs, inputs, shape: node.shape, dtype: node.dtype };
      let result: Tensor | undefined;
      // A replacement is itself tried again (a few times), so chains collapse within one round.
      for (let again = 0; again < 8; again++) {
        const hit = firstMatch(byOp.get(view.op) ?? [], view, ctx);
        if (!hit) break;
        count++;
        fired[hit.rule.name] = (fired[hit.rule.name] ?? 0) + 1;
        const before = r.builder.size;
        result = hit.rule.rewrite(view, hit.m, ctx);
        if (result.id < before) break; // an existing node: it was rewritten when it was built
        const d = r.builder.node(result.id);
        view = { op: d.op, attrs: d.attrs, inputs: d.inputs.map((i) => r.builder.tensor(i)), shape: d.shape, dtype: d.dtype };
      }
      return result ?? r.copy(node, inputs);
    });
    if (count === 0) break;
  }
  return { graph, fired, rounds };
}
