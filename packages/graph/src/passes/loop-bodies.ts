/**
 * Pass: optimise every `loop` body with the pipeline itself, then move the body's loop-invariant
 * work out of the loop (`loop(...)` does that: `ops/loop-hoist.ts`). Optimising a body can create
 * invariant work (gate batching concatenates the weights, transposes them), which then runs once
 * per run instead of once per step, and CSE merges it between the forward and the reverse loops.
 */
import type { Graph } from '../ir/node.js';
import { loop } from '../ops/loop.js';
import { parseBody } from '../ops/loop-body.js';
import { rebuild } from './rebuild.js';

/** `g` with each loop body optimised by `optimize` and its invariant work hoisted; `g` itself when it has no loop. */
export function optimizeLoopBodies(g: Graph, optimize: (body: Graph) => Graph): Graph {
  if (!g.nodes.some((n) => n.op === 'loop')) return g;
  return rebuild(g, (node, ctx) => {
    if (node.op !== 'loop') return undefined;
    const body = optimize(parseBody(node.attrs.body, 'loop'));
    const inputs = node.inputs.map((i) => ctx.get(i));
    const n = node.attrs.carries as number;
    const m = node.attrs.sequences as number;
    return loop({
      body,
      carries: inputs.slice(0, n),
      sequences: inputs.slice(n, n + m),
      invariants: inputs.slice(n + m),
      reverse: node.attrs.reverse === true,
      save: node.attrs.save === true,
    }).node;
  });
}
