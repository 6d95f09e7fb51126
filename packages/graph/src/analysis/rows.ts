/**
 * Does a node keep the rows (the leading, batch axis) of its operands apart? Running a step's
 * time-parallel work once for all T·B rows instead of B rows per step is only the same computation
 * when no node mixes rows: a batch mean, a softmax or a slice along axis 0, a product contracting
 * the rows, a transpose moving them, or a random draw (its values depend on the whole shape).
 * `rowMixing` names the first node of a step graph that does, among the nodes that depend on the
 * step's input or a state (invariant nodes carry no rows of the step).
 */
import type { Graph, Node } from '../ir/node.js';

/** Ops whose attribute `axis` must not be the row axis. */
const AXIS_OPS = new Set(['softmax', 'log_softmax', 'slice', 'concat', 'pad']);
/** Ops whose attribute `axes` must not include the row axis. */
const AXES_OPS = new Set(['sum', 'mean', 'max', 'variance']);

function mixes(g: Graph, n: Node, rows: number, varying: (id: number) => boolean): string | undefined {
  if (n.op === 'random_uniform') return 'a random draw (its values depend on the whole shape)';
  if (AXIS_OPS.has(n.op) && n.attrs.axis === 0) return 'it works along the row axis';
  if (AXES_OPS.has(n.op) && (n.attrs.axes as readonly number[]).includes(0)) return 'it reduces the row axis';
  if (n.shape.length === 0 || n.shape[0] !== rows) return `its shape ${JSON.stringify(n.shape)} has no leading axis of the ${rows} rows`;
  if (n.op === 'transpose' && (n.attrs.perm as readonly number[])[0] !== 0) return 'it moves the row axis';
  if (n.op === 'layer_norm' && n.shape.length < 2) return 'it normalises over the rows';
  if (n.op === 'matmul') {
    const [a, b] = n.inputs.map((i) => g.nodes[i]!);
    if (varying(b!.id) && (a!.shape.length < 3 || b!.shape.length < 3)) return 'its right operand varies with the rows (the product contracts them)';
  }
  for (const i of n.inputs) {
    const x = g.nodes[i]!;
    if (varying(i) && x.shape.length > 0 && x.shape[0] !== rows && x.shape.length >= n.shape.length)
      return `operand %${i} ${JSON.stringify(x.shape)} is not laid out by rows`;
  }
  return undefined;
}

/**
 * The first node among `ids` (nodes that vary with the step's input or a state) that mixes the
 * `rows` rows of the step, as "%id = op: why", or undefined when every one keeps them apart.
 * @example
 * rowMixing(stepGraph, varyingIds, batch) // e.g. "%9 = mean: it reduces the row axis"
 */
export function rowMixing(g: Graph, ids: readonly number[], rows: number): string | undefined {
  const set = new Set(ids);
  for (const id of ids) {
    const n = g.nodes[id]!;
    if (n.op === 'input') continue;
    const why = mixes(g, n, rows, (i) => set.has(i));
    if (why) return `%${id} = ${n.op}: ${why}`;
  }
  return undefined;
}
