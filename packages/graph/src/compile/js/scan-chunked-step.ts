/**
 * The compiled step of a `linear_scan` run chunked (`scan-chunked.ts`): the node's operands located
 * in the arena (`scanSpan`), the chunk plan and its float64 scratch made once at compile time, and a
 * closure running the three phases on the calling thread. Nothing is allocated per run. For worker
 * threads the scratch lies in the arena's own (shared) memory (`scratchAt`), and `phase` is the same
 * generated function as the workers hold (`body`): phase 0 reduces, 1 computes the carries, 2 applies.
 */
import type { TypedArray } from '../../ir/dtype.js';
import { fail } from '../../ir/errors.js';
import { sizeOf } from '../../ir/shape.js';
import type { CodegenContext, InstructionFn } from './codegen.js';
import { chunkedScanSource, chunkPlan, type ChunkPlan, type ScanSpan } from './scan-chunked.js';
import { intLiteral } from './templates.js';
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
 * Arena elements (of `bytesPerElement` bytes) the float64 scratch of a chunked scan of `T` steps and
 * `C` columns takes when it lies in the arena (`generateChunkedScan`'s `scratchAt`).
 * @example
 * chunkScratchElements(4096, 8, 4); // 16 chunks × 8 columns × 3 arrays × 2 float32 slots
 */
export function chunkScratchElements(T: number, C: number, bytesPerElement: number, length?: number): number {
  return (3 * chunkPlan(T, length).count * C * 8) / bytesPerElement;
}

/** The phase-function body of a chunked scan for a thread: `M` is the arena, the scratch at byte `byte` of its buffer. */
function phaseBody(span: ScanSpan, chunks: ChunkPlan, byte: number | undefined): string {
  const n = chunks.count * span.C;
  const i = intLiteral;
  const scratch =
    byte === undefined
      ? `const P = new Float64Array(${i(n)}), S = new Float64Array(${i(n)}), H = new Float64Array(${i(n)});`
      : `const P = new Float64Array(M.buffer, M.byteOffset + ${i(byte)}, ${i(n)}), S = new Float64Array(M.buffer, M.byteOffset + ${i(byte + 8 * n)}, ${i(n)}), ` +
        `H = new Float64Array(M.buffer, M.byteOffset + ${i(byte + 16 * n)}, ${i(n)});`;
  return `'use strict';
${scratch}
const phases = (function (M, P, S, H) {
${chunkedScanSource(span, chunks)}
})(M, P, S, H);
return function chunkedScanPhase(phase, k0, k1) {
  if (phase === 0) phases.reduce(k0, k1);
  else if (phase === 1) phases.carries();
  else phases.apply(k0, k1);
};`;
}

/**
 * The chunked scan of node `id` on `arena`, with chunks of `length` rows (default `chunkPlan`'s).
 * With `scratchAt` (an arena element index, 8-byte aligned, `chunkScratchElements` long) the scratch
 * lies in the arena's memory, so worker threads sharing it can run `body` (a function body of `M`
 * returning `phase(p, k0, k1)`) over chunk ranges; otherwise it is a private allocation.
 * @example
 * const { fn, chunks } = generateChunkedScan(ctx, node.id, arena);
 * fn(); // fills the node's buffer with h_0 … h_{T−1}
 */
export function generateChunkedScan(
  ctx: CodegenContext,
  id: number,
  arena: TypedArray,
  length?: number,
  scratchAt?: number,
): { fn: InstructionFn; source: string; chunks: ChunkPlan; span: ScanSpan; body: string; phase: (phase: number, k0: number, k1: number) => void } {
  const span = scanSpan(ctx, id);
  const chunks = chunkPlan(span.T, length);
  const byte = scratchAt === undefined ? undefined : scratchAt * arena.BYTES_PER_ELEMENT;
  if (byte !== undefined && (byte + arena.byteOffset) % 8 !== 0) fail('graph', `compile: chunk scratch of %${id} at byte ${byte} is not 8-byte aligned`);
  const body = phaseBody(span, chunks, byte);
  const phase = new Function('M', body)(arena) as (phase: number, k0: number, k1: number) => void;
  const K = chunks.count;
  const fn = () => {
    phase(0, 0, K);
    phase(1, 0, 0);
    phase(2, 0, K);
  };
  const source = `// linear_scan %${id} chunked: ${K} chunks of ${chunks.length} rows × ${span.C} columns\n${chunkedScanSource(span, chunks)}`;
  return { fn, source, chunks, span, body, phase };
}
