/**
 * JavaScript expression templates of the elementwise ops, for the fused loops that `codegen` writes.
 * A template receives operand expressions that are always plain identifiers or validated number
 * literals, and an op's numeric attributes only after `literal` has checked them; nothing else is
 * ever pasted into generated code. Every template computes exactly what the op's scalar function
 * computes (same expression, same order), so fused float64 results equal the interpreter's.
 */
import { fail } from '../../ir/errors.js';
import type { Attrs, Node } from '../../ir/node.js';
import { getOp } from '../../ops/registry.js';
import { registerLowerings } from '../../ops/lowerings.js';

/** A template: operand expressions (identifiers) and the node's attributes → a JS expression. */
type Template = (x: readonly string[], attrs: Attrs) => string;

/** A finite number as a JS literal (parenthesised), or an error. */
export function literal(v: unknown): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail('graph', `compile: ${JSON.stringify(v)} is not a finite number`);
  const s = Object.is(v, -0) ? '-0' : String(v);
  if (!/^-?[0-9.]+(e[-+]?[0-9]+)?$/.test(s)) fail('graph', `compile: cannot print number ${s}`);
  return `(${s})`;
}

/** A non-negative safe integer as a JS literal, or an error. */
export function intLiteral(v: unknown): string {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) fail('graph', `compile: ${JSON.stringify(v)} is not an integer`);
  return String(v);
}

const cmp =
  (sym: string): Template =>
  ([a, b]) =>
    `(${a} ${sym} ${b} ? 1 : 0)`;

const TEMPLATES: Readonly<Record<string, Template>> = {
  add: ([a, b]) => `(${a} + ${b})`,
  sub: ([a, b]) => `(${a} - ${b})`,
  mul: ([a, b]) => `(${a} * ${b})`,
  div: ([a, b]) => `(${a} / ${b})`,
  pow: ([a, b]) => `Math.pow(${a}, ${b})`,
  maximum: ([a, b]) => `(${a} >= ${b} ? ${a} : ${b})`,
  minimum: ([a, b]) => `(${a} <= ${b} ? ${a} : ${b})`,
  neg: ([a]) => `(-${a})`,
  exp: ([a]) => `Math.exp(${a})`,
  log: ([a]) => `Math.log(${a})`,
  sqrt: ([a]) => `Math.sqrt(${a})`,
  square: ([a]) => `(${a} * ${a})`,
  abs: ([a]) => `Math.abs(${a})`,
  sign: ([a]) => `(${a} > 0 ? 1 : ${a} < 0 ? -1 : 0)`,
  tanh: ([a]) => `Math.tanh(${a})`,
  sigmoid: ([a]) => `(${a} >= 0 ? 1 / (1 + Math.exp(-${a})) : Math.exp(${a}) / (1 + Math.exp(${a})))`,
  relu: ([a]) => `(${a} > 0 ? ${a} : 0)`,
  clamp: ([a], attrs) => {
    const lo = literal(attrs.min);
    const hi = literal(attrs.max);
    return `(${a} < ${lo} ? ${lo} : ${a} > ${hi} ? ${hi} : ${a})`;
  },
  hard_sigmoid: ([a], attrs) => `Math.min(1, Math.max(0, ${literal(attrs.slope)} * ${a} + 0.5))`,
  greater: cmp('>'),
  greater_equal: cmp('>='),
  less: cmp('<'),
  less_equal: cmp('<='),
  equal: cmp('==='),
  not_equal: cmp('!=='),
  where: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})`,
};

/** Float32 plans: the fast helpers of `fastmath.ts`, bound as `X` in the generated code. */
const FAST: Readonly<Record<string, Template>> = {
  exp: ([a]) => `X.exp(${a})`,
  sigmoid: ([a]) => `X.sigmoid(${a})`,
  tanh: ([a]) => `X.tanh(${a})`,
};

registerLowerings('js', 'compile/js/templates.ts', Object.keys(TEMPLATES));
registerLowerings('js-fast', 'compile/js/fastmath.ts', Object.keys(FAST));

/** Ops whose value is an index map of their input (views), never a computation. */
export const VIEW_OPS: ReadonlySet<string> = new Set(['slice', 'transpose', 'broadcast_to', 'reshape']);

/** True when the node can be part of a fused elementwise loop (a template or a scalar function). */
export function isFusible(node: Node): boolean {
  if (Object.hasOwn(TEMPLATES, node.op)) return true;
  const op = getOp(node.op);
  return op.scalar !== undefined && Object.keys(node.attrs).length === 0;
}

/**
 * The JS expression of an elementwise node. Ops without a template call their scalar function,
 * passed to the generated code as `F[k]` (`k` is allocated by `scalarSlot`). With `fast` (float32
 * plans), exp, sigmoid and tanh call the fast helpers instead.
 */
export function expression(node: Node, args: readonly string[], scalarSlot: (fn: (...xs: number[]) => number) => number, fast = false): string {
  if (fast && Object.hasOwn(FAST, node.op)) return FAST[node.op]!(args, node.attrs);
  if (Object.hasOwn(TEMPLATES, node.op)) return TEMPLATES[node.op]!(args, node.attrs);
  const fn = getOp(node.op).scalar;
  if (!fn) fail('graph', `compile: op '${node.op}' has no scalar function and no template`);
  return `F[${intLiteral(scalarSlot(fn))}](${args.join(', ')})`;
}
