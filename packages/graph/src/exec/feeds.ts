/** Checking and converting feeds: every input fed once, with its exact shape; data cast to the input's dtype. */
import { allocate, type DType } from '../ir/dtype.js';
import { fail } from '../ir/errors.js';
import type { Graph } from '../ir/node.js';
import { formatShape, sameShape, sizeOf } from '../ir/shape.js';
import type { NDArray } from '../ir/ndarray.js';

/** A nested array of numbers, as in `[[1, 2], [3, 4]]`. */
export type Nested = number | readonly Nested[];

/** A value fed to a graph input: an NDArray, a number (scalar) or nested arrays. */
export type FeedValue = NDArray | Nested;

/** Feeds by input name. */
export type Feeds = Readonly<Record<string, FeedValue>>;

function nestedShape(v: Nested): number[] {
  const shape: number[] = [];
  let cur: Nested = v;
  while (Array.isArray(cur)) {
    shape.push(cur.length);
    cur = (cur as readonly Nested[])[0] as Nested;
  }
  return shape;
}

function flatten(v: Nested, shape: readonly number[], name: string, out: number[], depth = 0): void {
  if (depth === shape.length) {
    if (typeof v !== 'number') fail('feed', `feed '${name}': ragged or non-numeric nested array`);
    out.push(v);
    return;
  }
  if (!Array.isArray(v) || v.length !== shape[depth]) fail('feed', `feed '${name}': ragged nested array (expected ${shape[depth]} entries at depth ${depth})`);
  for (const x of v as readonly Nested[]) flatten(x, shape, name, out, depth + 1);
}

/** Convert one feed to an NDArray of `dtype` (copying only when the dtype differs). */
export function toArray(v: FeedValue, name: string, dtype: DType): NDArray {
  if (typeof v === 'number' || Array.isArray(v)) {
    const shape = nestedShape(v as Nested);
    const flat: number[] = [];
    flatten(v as Nested, shape, name, flat);
    const data = allocate(dtype, flat.length);
    data.set(flat);
    return { shape, data };
  }
  const nd = v as NDArray;
  if (!nd || !Array.isArray(nd.shape) || !(nd.data instanceof Float32Array || nd.data instanceof Float64Array)) {
    fail('feed', `feed '${name}': expected an NDArray ({ shape, data: Float32Array | Float64Array }), a number or nested arrays`);
  }
  if (nd.data.length !== sizeOf(nd.shape)) fail('feed', `feed '${name}': ${nd.data.length} values do not fill its shape ${formatShape(nd.shape)}`);
  const want = dtype === 'float64' ? Float64Array : Float32Array;
  if (nd.data instanceof want) return nd;
  const data = allocate(dtype, nd.data.length);
  data.set(nd.data);
  return { shape: nd.shape, data };
}

/** Check feeds against a graph's inputs and convert them; errors name the input and both shapes. */
export function checkFeeds(g: Graph, feeds: Feeds): NDArray[] {
  if (feeds === null || typeof feeds !== 'object') fail('feed', 'feeds must be an object mapping input names to values');
  const known = new Set(g.inputs.map((p) => p.name));
  for (const name of Object.keys(feeds)) {
    if (!known.has(name)) fail('feed', `feed '${name}' does not match any input of the graph (inputs: ${[...known].join(', ') || 'none'})`);
  }
  const values: NDArray[] = [];
  for (const port of g.inputs) {
    const node = g.nodes[port.id]!;
    const v = Object.hasOwn(feeds, port.name) ? feeds[port.name] : undefined;
    if (v === undefined) fail('feed', `missing feed for input '${port.name}' (expected ${node.dtype}${formatShape(node.shape)})`);
    const arr = toArray(v, port.name, node.dtype);
    if (!sameShape(arr.shape, node.shape)) {
      fail('feed', `feed '${port.name}': expected shape ${formatShape(node.shape)}, got ${formatShape(arr.shape)}`);
    }
    values.push(arr);
  }
  return values;
}
