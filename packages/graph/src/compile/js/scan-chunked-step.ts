/**
 * The compiled step of a `linear_scan` run chunked (`scan-chunked.ts`): the node's operands located
 * in the arena (`scanSpan`), the chunk plan and its float64 scratch made once at compile time, and a
 * closure running the three phases on the calling thread. Nothing is allocated per run.
 */
import type { TypedArray } from '../../ir/dtype.js';
import { fail } from '../../ir/errors.js';
import { sizeOf } from '../../ir/shape.js';
import type { CodegenContext, InstructionFn } from './codegen.js';
import { chunkedScanPhases, chunkedScanSource, chunkPlan, chunkScratch, type ChunkPlan, type ScanSpan } from './scan-chunked.js';
import { isContiguous } from './views.js';

/**
 * Where the `linear_scan` node `id` reads and writes in the arena, and its sizes.
 * @example
 * const span = scanSpan(ctx, node.id); // { a, b, h0, out, T, C, reverse }
 */
export function scanSpan(ctx: CodegenContext, id: number): ScanSpan {
  const node = ctx.graph.nodes[id]!;
  if (node.op !== 'linear_scan') fail('graph', `compile: scanSpan called on %${id} = ${node.op}`);
  const views = ctx.fusion.inputViews[id]!;
  for (const v of views) if (!isContiguous(v)) fail('graph', `compile: linear_scan %${id} reads a non-contiguous view of %${v.base}`);
  const [a, b, h0] = views.map((v) => ctx.offsets[v.base]! + v.offset) as [number, number, number];
  return { a, b, h0, out: ctx.offsets[id]!, T: node.shape[0]!, C: sizeOf(node.shape.slice(1)), reverse: node.attrs.reverse === true };
}

/**
 * The chunked scan of node `id` on `arena`, with chunks of `length` rows (default `chunkPlan`'s).
 * @example
 * const { fn, chunks } = generateChunkedScan(ctx, node.id, arena);
 * fn(); // fills the node's buffer with h_0 … h_{T−1}
 */
export function generateChunkedScan(
  ctx: CodegenContext,
  id: number,
  arena: TypedArray,
  length?: number,
): { fn: InstructionFn; source: string; chunks: ChunkPlan; span: ScanSpan } {
  const span = scanSpan(ctx, id);
  const chunks = chunkPlan(span.T, length);
  const scratch = chunkScratch(chunks, span.C);
  const phases = chunkedScanPhases(arena, span, chunks, scratch);
  const fn = () => phases.run();
  const source = `// linear_scan %${id} chunked: ${chunks.count} chunks of ${chunks.length} rows × ${span.C} columns\n${chunkedScanSource(span, chunks)}`;
  return { fn, source, chunks, span };
}
