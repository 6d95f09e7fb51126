/**
 * The compiled step of `linear_scan` (h_t = a_t ⊙ h_{t∓1} + b_t over the leading time axis): one
 * generated loop over time with the columns (e.g. batch × hidden) innermost, reading a, b and h0
 * and writing every h_t straight in the arena at offsets baked in as integer literals. Nothing is
 * allocated per run. Each h_t is computed in float64 and rounded once when stored, exactly as the
 * reference kernel does, so compiled plans equal the interpreter in float32 and float64. An element
 * is loaded before the same element is stored, so an output placed over a or b is safe. Columns are
 * independent: `columns` runs a range of them (worker threads split a scan by columns).
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
export function generateScan(
  ctx: CodegenContext,
  id: number,
  arena: TypedArray,
): { fn: InstructionFn; source: string; columns: { count: number; body: string; run: (j0: number, j1: number) => void } } {
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
    `  for (let j = j0; j < j1; j++) M[po + j] = M[pa + j] * M[pp + j] + M[pb + j];`,
    `  pp = po;`,
    `  pa += ${intLiteral(step)};`,
    `  pb += ${intLiteral(step)};`,
    `  po += ${intLiteral(step)};`,
    '}',
  ].join('\n');
  // The columns [j0, j1) are independent: worker threads may run a range each (`columns`, `body`).
  const body = `'use strict';\nreturn function scanStep(j0, j1) {\n${source}\n};`;
  const scan = new Function('M', body)(arena) as (j0: number, j1: number) => void;
  return { fn: () => scan(0, C), source, columns: { count: C, body, run: scan } };
}
