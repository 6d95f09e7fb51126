/** JSON form of a graph: `toJSON` and `fromJSON` round-trip exactly; `fromJSON` validates fully. */
import { freeze } from 'immer';
import { checkDType } from './dtype.js';
import { fail } from './errors.js';
import type { AttrValue, Graph, Node, NodeScope, Port } from './node.js';
import { checkShape } from './shape.js';
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
      id: n.id, op: n.op, inputs: [...n.inputs], attrs: copyAttrs(n.attrs), dtype: n.dtype, shape: [...n.shape],
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
  if (obj.version !== GRAPH_VERSION) fail('graph', `graph JSON: unsupported version ${JSON.stringify(obj.version)} (this cellgrad reads version ${GRAPH_VERSION})`);
  if (!Array.isArray(obj.nodes)) fail('graph', `graph JSON: 'nodes' must be an array`);
  const nodes: Node[] = obj.nodes.map((raw, i) => {
    const at = `nodes[${i}]`;
    if (!isObj(raw)) fail('graph', `graph JSON: ${at} must be an object`);
    if (raw.id !== i) fail('graph', `graph JSON: ${at}.id must be ${i}, got ${JSON.stringify(raw.id)}`);
    if (typeof raw.op !== 'string') fail('graph', `graph JSON: ${at}.op must be a string`);
    if (!Array.isArray(raw.inputs) || !raw.inputs.every((j) => Number.isInteger(j))) fail('graph', `graph JSON: ${at}.inputs must be an array of integers`);
    if (!isObj(raw.attrs)) fail('graph', `graph JSON: ${at}.attrs must be an object`);
    const attrs: Record<string, AttrValue> = {};
    for (const [k, v] of Object.entries(raw.attrs)) attrs[k] = attrValue(v, `${at}.attrs.${k}`);
    const node: Node = {
      id: i, op: raw.op, inputs: [...(raw.inputs as number[])], attrs,
      dtype: checkDType(raw.dtype, `graph JSON: ${at}.dtype`), shape: [...checkShape(raw.shape, `graph JSON: ${at}.shape`)],
    };
    if (raw.scope !== undefined) {
      if (!isObj(raw.scope)) fail('graph', `graph JSON: ${at}.scope must be an object`);
      return { ...node, scope: { ...(raw.scope as NodeScope) } };
    }
    return node;
  });
  const g: Graph = { nodes, inputs: ports(obj.inputs, 'inputs'), outputs: ports(obj.outputs, 'outputs') };
  return freeze(verify(g), true);
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
