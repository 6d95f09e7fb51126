/** JSON form of a graph: `toJSON` and `fromJSON` round-trip exactly; `fromJSON` validates fully. */
import { freeze } from 'immer';
import { checkDType } from '../ir/dtype.js';
import { CellgradError, fail } from '../ir/errors.js';
import type { AttrValue, Graph, Node, NodeScope, Port } from '../ir/node.js';
import { checkShape } from '../ir/shape.js';
import { verify } from './verify.js';

/** The format tag written into every serialised graph. */
export const GRAPH_FORMAT = 'cellgrad-graph';
/** The format version. */
export const GRAPH_VERSION = 1;

/** The plain-object form of a graph. */
export interface GraphJSON {
  format: typeof GRAPH_FORMAT;
  version: number;
  nodes: { id: number; op: string; inputs: number[]; attrs: Record<string, AttrValue>; dtype: string; shape: number[]; scope?: NodeScope }[];
  inputs: Port[];
  outputs: Port[];
}

/** A plain JSON-ready object for `g`. */
export function toJSON(g: Graph): GraphJSON {
  return {
    format: GRAPH_FORMAT,
    version: GRAPH_VERSION,
    nodes: g.nodes.map((n) => ({
      id: n.id,
      op: n.op,
      inputs: [...n.inputs],
      attrs: copyAttrs(n.attrs),
      dtype: n.dtype,
      shape: [...n.shape],
      ...(n.scope ? { scope: { ...n.scope } } : {}),
    })),
    inputs: g.inputs.map((p) => ({ ...p })),
    outputs: g.outputs.map((p) => ({ ...p })),
  };
}

/** `g` as a JSON string. */
export function serialize(g: Graph): string {
  return JSON.stringify(toJSON(g));
}

/** A copy of attributes whose array values are copied too (the graph's own arrays are frozen). */
function copyAttrs(attrs: Readonly<Record<string, AttrValue>>): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  for (const [k, v] of Object.entries(attrs)) out[k] = (Array.isArray(v) ? [...v] : v) as AttrValue;
  return out;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function ports(v: unknown, field: string): Port[] {
  if (!Array.isArray(v)) fail('graph', `graph JSON: '${field}' must be an array`);
  return v.map((p, i) => {
    if (!isObj(p) || typeof p.name !== 'string' || !Number.isInteger(p.id)) fail('graph', `graph JSON: ${field}[${i}] must be { name: string, id: integer }`);
    return { name: p.name, id: p.id as number };
  });
}

function attrValue(v: unknown, where: string): AttrValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (Array.isArray(v) && (v.every((x) => typeof x === 'number') || v.every((x) => typeof x === 'string'))) return [...v] as number[];
  return fail('graph', `graph JSON: ${where} is not a valid attribute value`);
}

/** A graph from the object `toJSON` made (or parsed JSON); every field is validated, then `verify`. */
export function fromJSON(obj: unknown): Graph {
  if (!isObj(obj)) fail('graph', 'graph JSON: expected an object');
  if (obj.format !== GRAPH_FORMAT) fail('graph', `graph JSON: 'format' must be "${GRAPH_FORMAT}", got ${JSON.stringify(obj.format)}`);
  if (obj.version !== GRAPH_VERSION)
    fail('graph', `graph JSON: unsupported version ${JSON.stringify(obj.version)} (this cellgrad reads version ${GRAPH_VERSION})`);
  if (!Array.isArray(obj.nodes)) fail('graph', `graph JSON: 'nodes' must be an array`);
  const nodes: Node[] = obj.nodes.map((raw, i) => {
    const at = `nodes[${i}]`;
    if (!isObj(raw)) fail('graph', `graph JSON: ${at} must be an object`);
    if (raw.id !== i) fail('graph', `graph JSON: ${at}.id must be ${i}, got ${JSON.stringify(raw.id)}`);
    if (typeof raw.op !== 'string') fail('graph', `graph JSON: ${at}.op must be a string`);
    if (!Array.isArray(raw.inputs) || !raw.inputs.every((j) => Number.isInteger(j))) fail('graph', `graph JSON: ${at}.inputs must be an array of integers`);
    if (!isObj(raw.attrs)) fail('graph', `graph JSON: ${at}.attrs must be an object`);
    // Own data properties only: a key such as "__proto__" stays a plain (and then rejected) attribute.
    const attrs: Record<string, AttrValue> = Object.fromEntries(Object.entries(raw.attrs).map(([k, v]) => [k, attrValue(v, `${at}.attrs.${k}`)]));
    const node: Node = {
      id: i,
      op: raw.op,
      inputs: [...(raw.inputs as number[])],
      attrs,
      dtype: checkDType(raw.dtype, `graph JSON: ${at}.dtype`),
      shape: [...checkShape(raw.shape, `graph JSON: ${at}.shape`)],
    };
    return raw.scope === undefined ? node : { ...node, scope: scopeOf(raw.scope, `${at}.scope`) };
  });
  const g: Graph = { nodes, inputs: ports(obj.inputs, 'inputs'), outputs: ports(obj.outputs, 'outputs') };
  try {
    verify(g);
  } catch (e) {
    // verify names nodes as "%i"; the file's field is "nodes[i]".
    if (e instanceof CellgradError) throw new CellgradError(e.kind, `graph JSON: ${e.message.replace(/^verify: (node %(\d+))/, 'nodes[$2]: $1')}`);
    throw e;
  }
  return freeze(g, true);
}

const SCOPE_FIELDS: Readonly<Record<string, (v: unknown) => boolean>> = {
  cell: (v) => typeof v === 'string',
  step: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  layer: (v) => Number.isSafeInteger(v) && (v as number) >= 0,
  phase: (v) => v === 'forward' || v === 'backward',
};

/** A node's scope: known fields checked (cell a string, step and layer non-negative integers, phase). */
function scopeOf(v: unknown, at: string): NodeScope {
  if (!isObj(v)) fail('graph', `graph JSON: ${at} must be an object`);
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const ok = Object.hasOwn(SCOPE_FIELDS, k) ? SCOPE_FIELDS[k]!(x) : typeof x === 'string' || Number.isFinite(x) || typeof x === 'boolean';
    if (!ok) fail('graph', `graph JSON: ${at}.${k} is not valid (${JSON.stringify(x)})`);
    Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
  }
  return out as NodeScope;
}

/** Parse a graph from JSON text. */
export function deserialize(text: string): Graph {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch (e) {
    fail('graph', `graph JSON: not valid JSON (${(e as Error).message})`);
  }
  return fromJSON(obj);
}
