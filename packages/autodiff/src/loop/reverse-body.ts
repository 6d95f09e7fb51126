/**
 * The reverse step of a `loop` body, for the `loop` op's VJP (registered with the graph package's
 * `registerLoopDifferentiator` when this package is imported). The body is replayed into a graph
 * whose scalar `L = Σ sum(dc ⊙ c′) + Σ sum(dy ⊙ y)` (the cotangents after the step against the
 * step's results) is differentiated by `grad`; the result is rearranged into the reverse body's
 * signature (see `LoopDifferentiator`): the carries' cotangents before the step (plus the saved
 * carries' own cotangents, when they have any), the invariants' gradients accumulated, and the slices' cotangents.
 */
import { GraphBuilder, registerLoopDifferentiator, type Graph, type LoopBodyShape, type Tensor } from '@cellgrad/graph';
import { grad } from '../grad.js';

/** The reverse step of `body` (see the file header and `LoopDifferentiator`). */
export function reverseLoopBody(body: Graph, shape: LoopBodyShape): Graph {
  const n = shape.carries;
  const m = shape.sequences;
  const k = body.inputs.length - n - m;
  const type = (id: number) => body.nodes[id]!;
  const dtype = type(body.inputs[0]!.id).dtype;
  const b = new GraphBuilder(dtype);
  const declare = (name: string, id: number) => b.input(name, type(id).shape, dtype);
  const ins = body.inputs;
  const dc = ins.slice(0, n).map((q, i) => declare(`dc:${i}`, q.id));
  ins.slice(n + m).forEach((q, l) => declare(`dw:${l}`, q.id));
  const c = ins.slice(0, n).map((q, i) => declare(`c:${i}`, q.id));
  const x = ins.slice(n, n + m).map((q, j) => declare(`x:${j}`, q.id));
  const dy = body.outputs.slice(n).map((q, j) => (shape.outputCotangents[j] ? declare(`dy:${j}`, q.id) : undefined));
  const ds = ins.slice(0, n).map((q, i) => (shape.savedCotangents[i] ? declare(`ds:${i}`, q.id) : undefined));
  const w = ins.slice(n + m).map((q, l) => declare(`w:${l}`, q.id));
  // Replay the body on (c, x, w).
  const env = new Map<number, Tensor>();
  [...c, ...x, ...w].forEach((t, i) => env.set(ins[i]!.id, t));
  for (const node of body.nodes) {
    if (env.has(node.id)) continue;
    env.set(
      node.id,
      b.apply(
        node.op,
        node.inputs.map((i) => env.get(i)!),
        { ...node.attrs },
        node.dtype,
      ),
    );
  }
  const results = body.outputs.map((q) => env.get(q.id)!);
  const cotangents = [...dc, ...dy];
  let loss: Tensor = b.fill(0, [], dtype);
  results.forEach((r, i) => {
    const d = cotangents[i];
    if (d) loss = loss.add(r.mul(d).sum());
  });
  const forward = b.build({ L: loss });
  const wrt = [...c.map((_, i) => `c:${i}`), ...x.map((_, j) => `x:${j}`), ...w.map((_, l) => `w:${l}`)];
  const d = grad(forward, { of: 'L', wrt, keepOutputs: false });
  const { builder, inputs, outputs } = GraphBuilder.extend(d);
  const out: [string, Tensor][] = [];
  for (let i = 0; i < n; i++) {
    const g = outputs[`grad:c:${i}`]!;
    out.push([`dc:${i}`, ds[i] ? g.add(inputs[`ds:${i}`]!) : g]);
  }
  for (let l = 0; l < k; l++) out.push([`dw:${l}`, inputs[`dw:${l}`]!.add(outputs[`grad:w:${l}`]!)]);
  for (let j = 0; j < m; j++) out.push([`dx:${j}`, outputs[`grad:x:${j}`]!]);
  return builder.build(out);
}

registerLoopDifferentiator(reverseLoopBody);
