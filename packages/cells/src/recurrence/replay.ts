/**
 * Replaying nodes of one graph into a builder: each node's op is applied again, with its
 * attributes, to the tensors its inputs map to. The scan lowering traces a cell's step once with
 * T·B rows (`stepGraph`) and replays parts of it into the unrolled graph, so every shape and
 * attribute in the replayed nodes is already that of all steps at once.
 */
import type { Graph, GraphBuilder, Tensor } from '@cellgrad/graph';
import type { StepResult } from '../step.js';
import { nextName } from './step-graph.js';

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

/**
 * A step graph (`stepGraph`) replayed on the given step inputs (`x` and the states, by name) and
 * parameters: the nodes the cell's step would have added, without calling it again.
 */
export function replayStep(g: Graph, b: GraphBuilder, inputs: Readonly<Record<string, Tensor>>, params: Readonly<Record<string, Tensor>>): StepResult {
  const env = new Map<number, Tensor>();
  for (const p of g.inputs) {
    const t = inputs[p.name] ?? params[p.name];
    if (!t) b.fail('graph', `replayStep: no value for the step's input '${p.name}'`);
    env.set(p.id, t!);
  }
  replay(g, b, env, () => true);
  const states: Record<string, Tensor> = {};
  let output: Tensor | undefined;
  for (const p of g.outputs) {
    if (p.name === 'y') output = env.get(p.id);
    else states[p.name.slice(0, -nextName('').length)] = env.get(p.id)!;
  }
  return { states, output: output! };
}
