/**
 * The compiled step of `linear_scan` (h_t = a_t ⊙ h_{t∓1} + b_t over the leading time axis): one
 * generated loop over time with the columns (e.g. batch × hidden) innermost, reading a, b and h0
 * and writing every h_t straight in the arena at offsets baked in as integer literals. Nothing is
 * allocated per run. Each h_t is computed in float64 and rounded once when stored, exactly as the
 * reference kernel does, so compiled plans equal the interpreter in float32 and float64. An element
 * is loaded before the same element is stored, so an output placed over a or b is safe.
 */
import type { TypedArray } from '../../ir/dtype.js';
import { fail } from '../../ir/errors.js';
import { registerLowerings } from '../../ops/lowerings.js';
import { sizeOf } from '../../ir/shape.js';
import type { CodegenContext, InstructionFn } from './codegen.js';
import { intLiteral } from './templates.js';
import { isContiguous } from './views.js';

registerLowerings('js', 'compile/js/scan.ts', ['linear_scan']);

/**
 * The generated loop of the `linear_scan` node `id`, bound to `arena`.
 * @example
 * const { fn } = generateScan(ctx, node.id, arena);
 * fn(); // fills the node's buffer with h_0 … h_{T−1}
 */
export function generateScan(ctx: CodegenContext, id: number, arena: TypedArray): { fn: InstructionFn; source: string } {
  const node = ctx.graph.nodes[id]!;
  if (node.op !== 'linear_scan') fail('graph', `compile: generateScan called on %${id} = ${node.op}`);
  const views = ctx.fusion.inputViews[id]!;
  for (const v of views) if (!isContiguous(v)) fail('graph', `compile: linear_scan %${id} reads a non-contiguous view of %${v.base}`);
  const [a, b, h0] = views.map((v) => ctx.offsets[v.base]! + v.offset);
  const T = node.shape[0]!;
  const C = sizeOf(node.shape.slice(1));
  const reverse = node.attrs.reverse === true;
  // Row k of the loop is time step t = k (forward) or T−1−k (reverse).
  const first = (reverse ? T - 1 : 0) * C;
  const step = reverse ? -C : C;
  const source = [
    `let pa = ${intLiteral(a! + first)}, pb = ${intLiteral(b! + first)}, po = ${intLiteral(ctx.offsets[id]! + first)}, pp = ${intLiteral(h0!)};`,
    `for (let k = 0; k < ${intLiteral(T)}; k++) {`,
    `  for (let j = 0; j < ${intLiteral(C)}; j++) M[po + j] = M[pa + j] * M[pp + j] + M[pb + j];`,
    `  pp = po;`,
    `  pa += ${intLiteral(step)};`,
    `  pb += ${intLiteral(step)};`,
    `  po += ${intLiteral(step)};`,
    '}',
  ].join('\n');
  const factory = new Function('M', `'use strict';\nreturn function scanStep() {\n${source}\n};`) as (m: TypedArray) => InstructionFn;
  return { fn: factory(arena), source };
}
