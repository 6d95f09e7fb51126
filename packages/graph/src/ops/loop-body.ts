/**
 * The body of a `loop` node: a `Graph` (one step) held in the node's `body` attribute as its JSON
 * text (`serialize`), so the node's attributes stay plain data that hash-consing, CSE, `serialize`
 * and `verify` compare and copy like any other. The text is parsed (and verified) once and cached.
 * `evaluateBody` runs a body on values with each op's reference kernel (the interpreter's rules:
 * float32 bodies round every op's result to float32).
 */
import { allocate } from '../ir/dtype.js';
import { CellgradError, fail } from '../ir/errors.js';
import type { Graph } from '../ir/node.js';
import type { NDArray } from '../ir/ndarray.js';
import { sizeOf } from '../ir/shape.js';
import { getOp } from './registry.js';
import { deserialize, serialize } from './serialize.js';

/** Parsed bodies by their text; bounded so a long session does not keep every body it met. */
const parsed = new Map<string, Graph>();
const MAX_CACHED = 256;

/** The JSON text a `loop` node holds for `body`. */
export function bodyText(body: Graph): string {
  const text = serialize(body);
  if (!parsed.has(text)) remember(text, body);
  return text;
}

function remember(text: string, g: Graph): void {
  if (parsed.size >= MAX_CACHED) parsed.delete(parsed.keys().next().value!);
  parsed.set(text, g);
}

/** The body graph of a `loop` node's `body` attribute (parsed and verified once). */
export function parseBody(text: unknown, where: string): Graph {
  if (typeof text !== 'string') fail('graph', `${where}: attribute 'body' must be a graph's JSON text (serialize(g)), got ${typeof text}`);
  const hit = parsed.get(text);
  if (hit) return hit;
  let g: Graph;
  try {
    g = deserialize(text);
  } catch (e) {
    if (e instanceof CellgradError) throw new CellgradError(e.kind, `${where}: its body is not a valid graph: ${e.message}`);
    throw e;
  }
  remember(text, g);
  return g;
}

/** Run `body` on `inputs` (one value per body input, in order); the values of its outputs, in order. */
export function evaluateBody(body: Graph, inputs: readonly NDArray[]): NDArray[] {
  const values: (NDArray | undefined)[] = new Array(body.nodes.length);
  body.inputs.forEach((p, i) => (values[p.id] = inputs[i]!));
  for (const node of body.nodes) {
    if (node.op === 'input') continue;
    const out: NDArray = { shape: node.shape, data: allocate(node.dtype, sizeOf(node.shape)) };
    getOp(node.op).kernel({ inputs: node.inputs.map((i) => values[i]!), out, attrs: node.attrs });
    values[node.id] = out;
  }
  return body.outputs.map((p) => values[p.id]!);
}
