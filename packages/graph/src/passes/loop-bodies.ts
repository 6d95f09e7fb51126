/**
 * Pass: optimise every `loop` body with the pipeline itself, drop what nobody reads, then move the
 * body's loop-invariant work out of the loop (`loop(...)` does that: `ops/loop-hoist.ts`).
 * Optimising a body can create invariant work (gate batching concatenates the weights, transposes
 * them), which then runs once per run instead of once per step, and CSE merges it between the
 * forward and the reverse loops. A per-step output no slice of the loop's value reads (the input
 * gradient of a reverse loop when only the weights' gradients are wanted) leaves the body, and
 * saved carries nobody reads are no longer saved; the slices that read the rest are moved to the
 * parts' new places.
 */
import type { Attrs, Graph, Node } from '../ir/node.js';
import { sizeOf } from '../ir/shape.js';
import { loop, loopLayout, type LoopLayout } from '../ops/loop.js';
import { parseBody } from '../ops/loop-body.js';
import type { Tensor } from '../trace/tensor.js';
import { rebuild, type RebuildContext } from './rebuild.js';

/** A loop rewritten with fewer parts, and where each old part went. */
interface Pruned {
  readonly body: Graph;
  readonly save: boolean;
  /** The new start of a slice of the old packed value starting at `start` and `size` long. */
  readonly move: (start: number, size: number) => number;
}

/** Ranges `[start, end)` of the slices reading each loop node, or undefined when one is read otherwise. */
function sliceReads(g: Graph): Map<number, [number, number][] | undefined> {
  const reads = new Map<number, [number, number][] | undefined>();
  for (const n of g.nodes) if (n.op === 'loop') reads.set(n.id, []);
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      if (!reads.has(i)) continue;
      if (n.op === 'slice' && n.attrs.axis === 0) reads.get(i)?.push([n.attrs.start as number, n.attrs.end as number]);
      else reads.set(i, undefined);
    }
  }
  for (const p of g.outputs) if (reads.has(p.id)) reads.set(p.id, undefined);
  return reads;
}

const inside = ([s, e]: [number, number], offset: number, size: number) => s >= offset && e <= offset + size;

/** `node`'s loop without the per-step outputs and saved carries `reads` never touch; undefined when nothing goes. */
function prune(node: Node, body: Graph, reads: readonly [number, number][], T: number): Pruned | undefined {
  const attrs: Attrs = node.attrs;
  const n = attrs.carries as number;
  const old = loopLayout(body, attrs, T);
  const size = (shape: readonly number[]) => sizeOf(shape);
  // Every read must be one saved part exactly, or lie inside one final, one output stack or one unshared saved part.
  const savedRead = old.saved.map((p) => reads.some(([s, e]) => s === p.offset && e === p.offset + size(p.shape)));
  const isSavedRead = (r: [number, number]) => old.saved.some((p) => r[0] === p.offset && r[1] === p.offset + size(p.shape));
  const blocks = [...old.finals, ...old.outputs, ...old.saved.filter((p) => !p.shared)];
  if (!reads.every((r) => isSavedRead(r) || blocks.some((p) => inside(r, p.offset, size(p.shape))))) return undefined;
  const outputRead = old.outputs.map((p) => reads.some((r) => !isSavedRead(r) && r[0] < p.offset + size(p.shape) && r[1] > p.offset));
  const unsharedRead = old.saved.some((p) => !p.shared && reads.some((r) => inside(r, p.offset, size(p.shape))));
  const save = attrs.save === true && (unsharedRead || savedRead.some((x) => x));
  if (save === (attrs.save === true) && outputRead.every((x) => x)) return undefined;
  const kept = body.outputs.filter((_, k) => k < n || outputRead[k - n]);
  const newBody: Graph = { ...body, outputs: kept };
  const fresh = loopLayout(newBody, { ...attrs, save }, T);
  const newIndex = (j: number) => outputRead.slice(0, j).filter((x) => x).length;
  const move = (start: number, length: number): number => {
    const r: [number, number] = [start, start + length];
    const s = old.saved.findIndex((p) => r[0] === p.offset && r[1] === p.offset + size(p.shape));
    if (s >= 0) return fresh.saved[s]!.offset;
    const within = (parts: LoopLayout['finals'], to: (k: number) => number | undefined) => {
      const k = parts.findIndex((p) => inside(r, p.offset, size(p.shape)));
      const target = k >= 0 ? to(k) : undefined;
      return target === undefined ? undefined : target + (start - parts[k]!.offset);
    };
    return (
      within(old.finals, (k) => fresh.finals[k]!.offset) ??
      within(old.outputs, (k) => fresh.outputs[newIndex(k)]!.offset) ??
      within(old.saved, (k) => fresh.saved[k]!.offset)!
    );
  };
  return { body: newBody, save, move };
}

/** `g` with each loop body optimised by `optimize`, its unread parts dropped and its invariant work hoisted; `g` itself when it has no loop. */
export function optimizeLoopBodies(g: Graph, optimize: (body: Graph) => Graph): Graph {
  if (!g.nodes.some((n) => n.op === 'loop')) return g;
  const reads = sliceReads(g);
  // A pruned loop has a smaller value, so it is built where its first slice is rebuilt (the old
  // node, copied unchanged, is then dead and dropped).
  const pruned = new Map<number, Pruned>();
  const built = new Map<number, Tensor>();
  const rebuilt = (node: Node, ctx: RebuildContext, body: Graph, save: boolean): Tensor => {
    const inputs = node.inputs.map((i) => ctx.get(i));
    const n = node.attrs.carries as number;
    const m = node.attrs.sequences as number;
    const reverse = node.attrs.reverse === true;
    return loop({ body, carries: inputs.slice(0, n), sequences: inputs.slice(n, n + m), invariants: inputs.slice(n + m), reverse, save }).node;
  };
  return rebuild(g, (node, ctx) => {
    const source = node.inputs[0]!;
    const p = node.op === 'slice' ? pruned.get(source) : undefined;
    if (p) {
      const loopNode = g.nodes[source]!;
      if (!built.has(source)) built.set(source, rebuilt(loopNode, ctx, p.body, p.save));
      const start = node.attrs.start as number;
      const length = (node.attrs.end as number) - start;
      const to = p.move(start, length);
      return ctx.builder.apply('slice', [built.get(source)!], { axis: 0, start: to, end: to + length });
    }
    if (node.op !== 'loop') return undefined;
    const body = optimize(parseBody(node.attrs.body, 'loop'));
    const read = reads.get(node.id);
    const n = node.attrs.carries as number;
    const plan = read ? prune(node, body, read, g.nodes[node.inputs[n]!]!.shape[0]!) : undefined;
    if (plan) {
      pruned.set(node.id, { ...plan, body: optimize(plan.body) });
      return undefined;
    }
    return rebuilt(node, ctx, body, node.attrs.save === true);
  });
}
