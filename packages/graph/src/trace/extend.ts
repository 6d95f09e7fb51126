/** Grow an existing graph: add inputs and outputs to a copy of it, leaving the original untouched. */
import type { Graph } from '../ir/node.js';
import { GraphBuilder } from './builder.js';
import type { Tensor } from './tensor.js';

/** What `extendGraph`'s callback receives. */
export interface ExtendContext {
  /** The builder, holding every node of the original graph. */
  readonly builder: GraphBuilder;
  /** The original graph's inputs, by name. */
  readonly inputs: Readonly<Record<string, Tensor>>;
  /** The original graph's outputs, by name. */
  readonly outputs: Readonly<Record<string, Tensor>>;
}

/**
 * A new graph made from `g` by `fn`, whose return value names the new graph's outputs (return
 * `{ ...outputs, extra }` to keep the old ones).
 * @example
 * // A Hessian-vector product from a gradient graph: d/dx (grad:x · v)
 * const withDot = extendGraph(gradGraph, ({ builder, inputs, outputs }) => {
 *   const v = builder.input('v', inputs.x!.shape, inputs.x!.dtype);
 *   return { gv: outputs['grad:x']!.mul(v).sum() };
 * });
 */
export function extendGraph(g: Graph, fn: (ctx: ExtendContext) => Record<string, Tensor>): Graph {
  const { builder, inputs, outputs } = GraphBuilder.extend(g);
  return builder.build(fn({ builder, inputs, outputs }));
}
