/**
 * A `loop` node in a compiled plan: its body is compiled once, as a plan of its own (with its own
 * arena), and a run-time loop over the T steps copies each step's carries and slices into the
 * body's input buffers, runs the body's steps, and copies its results out into the loop's packed
 * value in the outer arena. So the plan's size and its compile time do not grow with T.
 */
import type { TypedArray } from '../ir/dtype.js';
import type { Graph, Node } from '../ir/node.js';
import { sizeOf } from '../ir/shape.js';
import { loopLayout } from '../ops/loop.js';
import { parseBody } from '../ops/loop-body.js';
import type { View } from './js/views.js';

/** What a loop step needs of its compiled body: its input and output buffers and how to run it once. */
export interface BodyPlan {
  /** One buffer per body input, in order (writing one feeds the input). */
  readonly inputs: readonly TypedArray[];
  /** One buffer per body output, in order (valid after `run`). */
  readonly outputs: readonly TypedArray[];
  /** Run the body's steps once on what its input buffers hold. */
  readonly run: () => void;
  /** Steps of the body's plan, for the stats. */
  readonly steps: number;
}

/** The step of loop node `node`: its body compiled once by `compileBody`, run T times over slices of the outer arena. */
export function loopStep(
  node: Node,
  views: readonly View[],
  offsets: Float64Array,
  arena: TypedArray,
  compileBody: (body: Graph) => BodyPlan,
): { readonly fn: () => void; readonly body: BodyPlan } {
  const attrs = node.attrs;
  const graph = parseBody(attrs.body, 'loop');
  const body = compileBody(graph);
  const n = attrs.carries as number;
  const m = attrs.sequences as number;
  const ins = views.map((v) => arena.subarray(offsets[v.base]! + v.offset, offsets[v.base]! + v.offset + sizeOf(v.shape)));
  const T = views[n]!.shape[0]!;
  const layout = loopLayout(graph, attrs, T);
  const base = offsets[node.id]!;
  const out = arena.subarray(base, base + layout.size);
  const reverse = attrs.reverse === true;
  const carry = layout.finals.map((p) => out.subarray(p.offset, p.offset + sizeOf(p.shape)));
  const slice = ins.slice(n, n + m).map((s) => s.length / T);
  const outSize = layout.outputs.map((p) => sizeOf(p.shape) / T);
  const invariants = ins.slice(n + m);
  // Carries stay in the body's input buffers between steps (one copy per step) unless an output
  // shares memory with an input (a body returning an input unchanged), then they go through `carry`.
  const direct = !body.outputs.some((o) => body.inputs.some((i) => overlaps(o, i)));
  const fn = () => {
    for (let k = 0; k < invariants.length; k++) body.inputs[n + m + k]!.set(invariants[k]!);
    for (let i = 0; i < n; i++) (direct ? body.inputs[i]! : carry[i]!).set(ins[i]!);
    for (let j = 0; j < T; j++) {
      const t = reverse ? T - 1 - j : j;
      for (let i = 0; i < n; i++) {
        const c = direct ? body.inputs[i]! : carry[i]!;
        if (layout.saved.length > 0) out.set(c, layout.saved[i]!.offset + t * c.length);
        if (!direct) body.inputs[i]!.set(c);
      }
      for (let s = 0; s < m; s++) {
        const size = slice[s]!;
        body.inputs[n + s]!.set(ins[n + s]!.subarray(t * size, (t + 1) * size));
      }
      body.run();
      for (let i = 0; i < n; i++) (direct ? body.inputs[i]! : carry[i]!).set(body.outputs[i]!);
      for (let o = 0; o < outSize.length; o++) out.set(body.outputs[n + o]!, layout.outputs[o]!.offset + t * outSize[o]!);
    }
    if (direct) for (let i = 0; i < n; i++) carry[i]!.set(body.inputs[i]!);
  };
  return { fn, body };
}

/** Whether two typed arrays share memory. */
function overlaps(a: TypedArray, b: TypedArray): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}
