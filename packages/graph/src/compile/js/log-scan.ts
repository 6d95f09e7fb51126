/**
 * The compiled step of `log_linear_scan` (s_t = logaddexp(la_t + s_{t∓1}, lb_t), s = log h): one
 * generated loop over time with the columns innermost, as for `linear_scan` (`scan.ts`), reading
 * la, lb and h0 and writing every s_t in the arena at offsets baked in as integer literals. Each s_t
 * is computed in float64 with the interpreter's expression (max + log1p(exp(−|x − y|))) and rounded
 * once when stored, so compiled plans equal the interpreter in float64 and float32. h0 is checked
 * (≥ 0) on every run, with the interpreter's error. Loads precede stores of the same element.
 */
import type { TypedArray } from '../../ir/dtype.js';
import { fail } from '../../ir/errors.js';
import { sizeOf } from '../../ir/shape.js';
import { registerLowerings } from '../../ops/lowerings.js';
import { checkLogScanH0 } from '../../ops/log-scan.js';
import type { CodegenContext, InstructionFn } from './codegen.js';
import { intLiteral } from './templates.js';
import { isContiguous } from './views.js';

registerLowerings('js', 'compile/js/log-scan.ts', ['log_linear_scan']);

/**
 * The generated loop of the `log_linear_scan` node `id`, bound to `arena`.
 * @example
 * const { fn } = generateLogScan(ctx, node.id, arena);
 * fn(); // fills the node's buffer with log h_0 … log h_{T−1}
 */
export function generateLogScan(ctx: CodegenContext, id: number, arena: TypedArray): { fn: InstructionFn; source: string } {
  const node = ctx.graph.nodes[id]!;
  if (node.op !== 'log_linear_scan') fail('graph', `compile: generateLogScan called on %${id} = ${node.op}`);
  const views = ctx.fusion.inputViews[id]!;
  for (const v of views) if (!isContiguous(v)) fail('graph', `compile: log_linear_scan %${id} reads a non-contiguous view of %${v.base}`);
  const [a, b, h0] = views.map((v) => ctx.offsets[v.base]! + v.offset) as [number, number, number];
  const T = node.shape[0]!;
  const C = sizeOf(node.shape.slice(1));
  const reverse = node.attrs.reverse === true;
  const first = (reverse ? T - 1 : 0) * C;
  const step = reverse ? -C : C;
  const i = intLiteral;
  const source = [
    `check(M.subarray(${i(h0)}, ${i(h0 + C)}));`,
    `let pa = ${i(a + first)}, pb = ${i(b + first)}, po = ${i(ctx.offsets[id]! + first)};`,
    `for (let j = 0; j < ${i(C)}; j++) {`,
    '  const h = M[' + i(h0) + ' + j], lb = M[pb + j];',
    '  if (h === 0) { M[po + j] = lb; continue; }',
    '  const x = M[pa + j] + Math.log(h), m = x > lb ? x : lb;',
    '  M[po + j] = m === -Infinity ? m : m + Math.log1p(Math.exp(-Math.abs(x - lb)));',
    '}',
    `for (let k = 1; k < ${i(T)}; k++) {`,
    `  const pp = po;`,
    `  pa += ${i(step)}; pb += ${i(step)}; po += ${i(step)};`,
    `  for (let j = 0; j < ${i(C)}; j++) {`,
    '    const x = M[pa + j] + M[pp + j], y = M[pb + j], m = x > y ? x : y;',
    '    M[po + j] = m === -Infinity ? m : m + Math.log1p(Math.exp(-Math.abs(x - y)));',
    '  }',
    '}',
  ].join('\n');
  const factory = new Function('M', 'check', `'use strict';\nreturn function logScanStep() {\n${source}\n};`) as (
    m: TypedArray,
    check: (h0: ArrayLike<number>) => void,
  ) => InstructionFn;
  return { fn: factory(arena, checkLogScanH0), source };
}
