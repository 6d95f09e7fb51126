/**
 * Malformed graphs for the fuzzers: mutations of a valid graph's JSON (wrong ids, cycles, dangling
 * references, unknown or swapped ops, bad attributes, bad shapes, mismatched or unknown dtypes,
 * missing fields, broken ports), each a plain-data description fast-check can generate and shrink.
 */
import fc from 'fast-check';
import { listOps, type GraphJSON } from '@cellgrad/graph';

/** One mutation; node/field indices are taken modulo what exists. */
export type Mutation =
  | { readonly kind: 'id'; readonly node: number; readonly value: unknown }
  | { readonly kind: 'cycle'; readonly node: number; readonly slot: number; readonly ahead: number }
  | { readonly kind: 'dangling'; readonly node: number; readonly slot: number; readonly target: number }
  | { readonly kind: 'op'; readonly node: number; readonly op: string }
  | { readonly kind: 'attr'; readonly node: number; readonly key: string; readonly value: unknown }
  | { readonly kind: 'shape'; readonly node: number; readonly shape: unknown }
  | { readonly kind: 'dtype'; readonly node: number; readonly dtype: unknown }
  | { readonly kind: 'drop'; readonly node: number; readonly field: string }
  | { readonly kind: 'port'; readonly outputs: boolean; readonly index: number; readonly id: unknown; readonly name: unknown }
  | { readonly kind: 'arity'; readonly node: number; readonly extra: number }
  | { readonly kind: 'swap'; readonly a: number; readonly b: number }
  | { readonly kind: 'replace'; readonly node: number; readonly value: unknown };

/** The kinds of mutation that always make a graph invalid (by construction), for targeted properties. */
export const ALWAYS_INVALID = ['cycle', 'dangling', 'unknown-op', 'id', 'bad-dtype'] as const;

const opNames = (): string[] => listOps().map((o) => o.name);
const junkOp = fc.constantFrom('frobnicate', '', 'Tanh', 'constructor', '__proto__', 'toString', 'tanh ', 'x"); alert(1); ("');
const anyOp = fc.oneof(fc.constantFrom(...opNames()), junkOp, fc.string({ maxLength: 8 }));
const attrKey = fc.constantFrom(
  'axis',
  'axes',
  'perm',
  'shape',
  'data',
  'value',
  'min',
  'max',
  'slope',
  'keepDims',
  'name',
  'dtype',
  'start',
  'end',
  'before',
  'after',
  '__proto__',
  'constructor',
);
const smallInt = fc.integer({ min: -3, max: 6 });
const attrValue: fc.Arbitrary<unknown> = fc.oneof(
  smallInt,
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 6 }),
  fc.array(smallInt, { maxLength: 4 }),
  fc.array(fc.double(), { maxLength: 3 }),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
  fc.jsonValue({ maxDepth: 2 }),
);
const shapeValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.array(fc.integer({ min: -2, max: 5 }), { maxLength: 4 }),
  fc.array(fc.integer({ min: 0, max: 2 ** 20 }), { minLength: 1, maxLength: 3 }),
  fc.jsonValue({ maxDepth: 1 }),
);
const idx = fc.nat({ max: 200 });

/** An arbitrary mutation. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('id' as const), node: idx, value: fc.oneof(fc.integer({ min: -5, max: 300 }), fc.jsonValue({ maxDepth: 1 })) }),
  fc.record({ kind: fc.constant('cycle' as const), node: idx, slot: idx, ahead: fc.nat({ max: 20 }) }),
  fc.record({
    kind: fc.constant('dangling' as const),
    node: idx,
    slot: idx,
    target: fc.oneof(fc.integer({ min: -100, max: -1 }), fc.integer({ min: 1000, max: 2 ** 31 })),
  }),
  fc.record({ kind: fc.constant('op' as const), node: idx, op: anyOp }),
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('attr' as const), node: idx, key: attrKey, value: attrValue }) },
  fc.record({ kind: fc.constant('shape' as const), node: idx, shape: shapeValue }),
  fc.record({
    kind: fc.constant('dtype' as const),
    node: idx,
    dtype: fc.oneof(fc.constantFrom('float32', 'float64', 'int8', 'float16', ''), fc.jsonValue({ maxDepth: 1 })),
  }),
  fc.record({
    kind: fc.constant('drop' as const),
    node: idx,
    field: fc.constantFrom('id', 'op', 'inputs', 'attrs', 'dtype', 'shape', 'format', 'version', 'nodes', 'inputs!', 'outputs!'),
  }),
  fc.record({
    kind: fc.constant('port' as const),
    outputs: fc.boolean(),
    index: idx,
    id: fc.oneof(idx, fc.jsonValue({ maxDepth: 1 })),
    name: fc.oneof(fc.constantFrom('x0', 'x1', 'loss', ''), fc.jsonValue({ maxDepth: 1 })),
  }),
  fc.record({ kind: fc.constant('arity' as const), node: idx, extra: fc.integer({ min: -2, max: 2 }) }),
  fc.record({ kind: fc.constant('swap' as const), a: idx, b: idx }),
  fc.record({ kind: fc.constant('replace' as const), node: idx, value: fc.jsonValue({ maxDepth: 2 }) }),
);

type Obj = Record<string, unknown>;

/** Apply `m` to `j` in place (j is a plain JSON copy). */
export function mutate(j: GraphJSON, m: Mutation): void {
  // An earlier mutation may have removed what this one edits: then it does nothing.
  if (!Array.isArray(j.nodes) || j.nodes.length === 0) return;
  const nodes = j.nodes as unknown as Obj[];
  const n = nodes.length;
  const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
  const at = (i: number): Obj => (isObj(nodes[i % n]) ? nodes[i % n]! : {});
  const withInputs = nodes.map((_, i) => i).filter((i) => isObj(nodes[i]) && Array.isArray(nodes[i]!.inputs) && (nodes[i]!.inputs as number[]).length > 0);
  switch (m.kind) {
    case 'id':
      at(m.node).id = m.value;
      break;
    case 'cycle': {
      // Point an input of a node that has inputs at itself or a later node.
      if (withInputs.length === 0) break;
      const i = withInputs[m.node % withInputs.length]!;
      const ins = nodes[i]!.inputs as number[];
      ins[m.slot % ins.length] = Math.min(n - 1, i + m.ahead);
      break;
    }
    case 'dangling': {
      if (withInputs.length === 0) break;
      const ins = nodes[withInputs[m.node % withInputs.length]!]!.inputs as number[];
      ins[m.slot % ins.length] = m.target;
      break;
    }
    case 'op':
      at(m.node).op = m.op;
      break;
    case 'attr':
      if (isObj(at(m.node).attrs)) Object.defineProperty(at(m.node).attrs, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
      break;
    case 'shape':
      at(m.node).shape = m.shape;
      break;
    case 'dtype':
      at(m.node).dtype = m.dtype;
      break;
    case 'drop': {
      const top = m.field.endsWith('!') ? m.field.slice(0, -1) : undefined;
      if (top) delete (j as unknown as Obj)[top];
      else if (m.field === 'format' || m.field === 'version' || m.field === 'nodes') delete (j as unknown as Obj)[m.field];
      else delete at(m.node)[m.field];
      break;
    }
    case 'port': {
      const ports = (m.outputs ? j.outputs : j.inputs) as unknown;
      if (!Array.isArray(ports) || ports.length === 0) break;
      const p = ports[m.index % ports.length] as unknown;
      if (!isObj(p)) break;
      if (typeof m.id === 'number' && m.index % 2 === 0) p.id = m.id % (n + 2);
      else p.name = m.name;
      break;
    }
    case 'arity': {
      const ins = at(m.node).inputs;
      if (!Array.isArray(ins)) break;
      if (m.extra > 0) for (let k = 0; k < m.extra; k++) ins.push(0);
      else ins.splice(0, -m.extra);
      break;
    }
    case 'swap': {
      const a = m.a % n;
      const b = m.b % n;
      [nodes[a], nodes[b]] = [nodes[b]!, nodes[a]!];
      break;
    }
    case 'replace':
      nodes[m.node % n] = m.value as Obj;
      break;
  }
}
