/**
 * Replaying nodes of one graph into a builder: each node's op is applied again, with its
 * attributes, to the tensors its inputs map to. The scan lowering traces a cell's step once with
 * T·B rows (`stepGraph`) and replays parts of it into the unrolled graph, so every shape and
 * attribute in the replayed nodes is already that of all steps at once.
 */
import type { Graph, GraphBuilder, Tensor } from '@cellgrad/graph';

/**
 * Replay the nodes of `g` whose ids `select` accepts (in topological order), into `b`. `env` maps
 * node ids to tensors of `b` (the graph's inputs must be mapped first); it is extended in place
 * with every replayed node and skips nodes already mapped.
 */
export function replay(g: Graph, b: GraphBuilder, env: Map<number, Tensor>, select: (id: number) => boolean): void {
  for (const n of g.nodes) {
    if (env.has(n.id) || !select(n.id)) continue;
    if (n.op === 'input') b.fail('graph', `replay: input %${n.id} ('${n.attrs.name as string}') has no value`);
    const inputs = n.inputs.map((i) => {
      const t = env.get(i);
      if (!t) b.fail('graph', `replay: %${n.id} = ${n.op} reads %${i}, which was not replayed`);
      return t!;
    });
    env.set(n.id, b.apply(n.op, inputs, { ...n.attrs }, n.dtype));
  }
}
