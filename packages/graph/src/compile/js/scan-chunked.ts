/**
 * The chunked form of `linear_scan` (h_t = a_t ⊙ h_{t∓1} + b_t): the pairs (a, b) compose
 * associatively, (a1, b1) ∘ (a2, b2) = (a1·a2, a2·b1 + b2), so the T time steps (in scan order) are
 * cut into chunks of `length` rows and the scan runs in three phases (reduce, then scan):
 *
 * 1. `reduce(k0, k1)`: for every chunk k in [k0, k1) except the
 *    last, its composite per column: prodA = Π a over the chunk, sumB = the chunk scanned from 0.
 *    Reads a and b only; the chunks are independent.
 * 2. `carries()`: the state entering each chunk, carry_0 = h0,
 *    carry_{k+1} = prodA_k ⊙ carry_k + sumB_k: a short sequential pass over the chunks (count·C).
 * 3. `apply(k0, k1)`: every chunk in [k0, k1) re-scanned from its
 *    carry, writing h_t. The chunks are independent.
 *
 * Phases 1 and 3 may run on different threads over disjoint chunk ranges (a barrier between the
 * phases, phase 2 on one thread); `scratch` (float64, `chunkScratch`) must then be shared memory.
 * The phases are generated per scan (`chunkedScanSource`, offsets and sizes as literals) and bound
 * to a buffer by `chunkedScanPhases`; on one thread `run()` calls the three in order. Reduce-then-scan (rather than scan each
 * chunk, then add prefix-product ⊙ carry) reads a and b twice but never needs a after writing h, so
 * an output placed over a or b by the memory plan stays safe, and it needs no T·C scratch.
 *
 * Within a range, chunks run interleaved in groups (row r of every chunk of the group, then row r+1)
 * so that with few columns the group's recurrences are independent chains the CPU overlaps; with
 * many columns a group is one chunk and the column loop is the long one. Every h_t is computed in
 * float64 and rounded once when stored; the chunk composites and carries stay float64.
 */
import type { TypedArray } from '../../ir/dtype.js';
import { fail } from '../../ir/errors.js';
import { intLiteral } from './templates.js';

/** Where one scan's operands lie in a flat buffer (the arena) and its sizes. Offsets are of time step 0. */
export interface ScanSpan {
  readonly a: number;
  readonly b: number;
  readonly h0: number;
  readonly out: number;
  /** Time steps. */
  readonly T: number;
  /** Columns per time step (the product of the step's shape). */
  readonly C: number;
  readonly reverse: boolean;
}

/** How the T steps are cut: `count` chunks of `length` rows in scan order (the last may be shorter). */
export interface ChunkPlan {
  readonly length: number;
  readonly count: number;
}

/** Float64 scratch of a chunked scan: per chunk and column, the composite (prodA, sumB) and the carry in. */
export interface ChunkScratch {
  readonly prodA: Float64Array;
  readonly sumB: Float64Array;
  readonly carry: Float64Array;
}

/** Elements touched per row of an interleaved group: below this, chunks of a range are interleaved. */
const GROUP_ELEMENTS = 256;

/**
 * Cut T steps into chunks of `length` rows (default: about √(T·16), made odd, so there are enough
 * chunks to interleave and to share between threads, each is long enough to amortise its carry,
 * and interleaved chunks are not a power-of-two stride apart, which thrashes the cache sets).
 * @example
 * chunkPlan(4096); // { length: 257, count: 16 }
 */
export function chunkPlan(T: number, length?: number): ChunkPlan {
  const L = length ?? Math.max(8, Math.ceil(Math.sqrt(T * 16))) | 1;
  if (!Number.isInteger(L) || L < 1) fail('usage', `linear_scan: the chunk length must be an integer ≥ 1, got ${JSON.stringify(length)}`);
  const clamped = Math.min(L, T);
  return { length: clamped, count: Math.ceil(T / clamped) };
}

/**
 * Scratch for a chunked scan of `C` columns cut as `chunks`, in `memory` (default: a new
 * ArrayBuffer; pass a SharedArrayBuffer-backed factory for threads).
 * @example
 * const scratch = chunkScratch(chunkPlan(T), C);
 */
export function chunkScratch(chunks: ChunkPlan, C: number, memory: (elements: number) => Float64Array = (n) => new Float64Array(n)): ChunkScratch {
  const n = chunks.count * C;
  return { prodA: memory(n), sumB: memory(n), carry: memory(n) };
}

/** The three phases of one chunked scan, bound to its buffer and scratch (`chunkedScanPhases`). */
export interface ChunkedScanPhases {
  /** Phase 1: the composite of each chunk in [k0, k1) but the last (whose composite no carry needs). */
  reduce(k0: number, k1: number): void;
  /** Phase 2: the state entering every chunk (carry_0 = h0), sequentially over the chunks. */
  carries(): void;
  /** Phase 3: each chunk in [k0, k1) scanned from its carry, writing h_t. */
  apply(k0: number, k1: number): void;
  /** All three on the calling thread. */
  run(): void;
}

/**
 * The JavaScript source of the phases of a scan laid out as `span` and cut as `chunks`: the body of
 * a function of (M, P, S, H) (the buffer, and the scratch's prodA, sumB, carry) returning
 * `{ reduce, carries, apply, run }`, with every offset and size baked in as an integer literal (so
 * the engine sees one monomorphic loop nest per scan). A worker holding the same shared buffers
 * can instantiate the same source (`new Function('M', 'P', 'S', 'H', source)`).
 * @example
 * const source = chunkedScanSource(span, chunkPlan(span.T));
 */
export function chunkedScanSource(span: ScanSpan, chunks: ChunkPlan): string {
  const { C, T } = span;
  const L = chunks.length;
  const K = chunks.count;
  if (K !== Math.ceil(T / L) || L < 1) fail('graph', `compile: chunk plan ${JSON.stringify(chunks)} does not cut ${T} steps`);
  const i = intLiteral;
  const G = Math.max(1, Math.floor(GROUP_ELEMENTS / C));
  // Row of scan position s: first + s·step (time s, or T−1−s in reverse).
  const first = span.reverse ? (T - 1) * C : 0;
  const step = span.reverse ? -C : C;
  const row = (s: string) => `${i(first)} + (${s}) * ${i(step)}`;
  return `'use strict';
function reduce(k0, k1) {
  const end = Math.min(k1, ${i(K - 1)});
  for (let g0 = k0; g0 < end; g0 += ${i(G)}) {
    const g1 = Math.min(end, g0 + ${i(G)});
    P.fill(1, g0 * ${i(C)}, g1 * ${i(C)});
    S.fill(0, g0 * ${i(C)}, g1 * ${i(C)});
    // Only the last chunk can be short, and it is never reduced: every chunk here has ${L} rows.
    for (let r = 0; r < ${i(L)}; r++) {
      for (let k = g0; k < g1; k++) {
        const row = ${row(`k * ${i(L)} + r`)};
        const pa = ${i(span.a)} + row, pb = ${i(span.b)} + row, pk = k * ${i(C)};
        for (let j = 0; j < ${i(C)}; j++) {
          const x = M[pa + j];
          P[pk + j] *= x;
          S[pk + j] = x * S[pk + j] + M[pb + j];
        }
      }
    }
  }
}
function carries() {
  for (let j = 0; j < ${i(C)}; j++) H[j] = M[${i(span.h0)} + j];
  for (let pk = ${i(C)}; pk < ${i(K * C)}; pk += ${i(C)}) {
    const pp = pk - ${i(C)};
    for (let j = 0; j < ${i(C)}; j++) H[pk + j] = P[pp + j] * H[pp + j] + S[pp + j];
  }
}
function apply(k0, k1) {
  for (let g0 = k0; g0 < k1; g0 += ${i(G)}) {
    const g1 = Math.min(k1, g0 + ${i(G)});
    for (let k = g0; k < g1; k++) {
      const row = ${row(`k * ${i(L)}`)};
      const po = ${i(span.out)} + row, pa = ${i(span.a)} + row, pb = ${i(span.b)} + row, pk = k * ${i(C)};
      for (let j = 0; j < ${i(C)}; j++) M[po + j] = M[pa + j] * H[pk + j] + M[pb + j];
    }
    for (let r = 1; r < ${i(L)}; r++) {
      for (let k = g0; k < g1; k++) {
        const s = k * ${i(L)} + r;
        if (s >= ${i(T)}) break;
        const row = ${row('s')};
        const po = ${i(span.out)} + row, pp = po - ${i(step)}, pa = ${i(span.a)} + row, pb = ${i(span.b)} + row;
        for (let j = 0; j < ${i(C)}; j++) M[po + j] = M[pa + j] * M[pp + j] + M[pb + j];
      }
    }
  }
}
return { reduce, carries, apply, run() { reduce(0, ${i(K)}); carries(); apply(0, ${i(K)}); } };`;
}

/**
 * The phases of a chunked scan laid out as `span` in `M`, cut as `chunks`, with `scratch`.
 * @example
 * const chunks = chunkPlan(span.T);
 * const phases = chunkedScanPhases(arena, span, chunks, chunkScratch(chunks, span.C));
 * phases.run(); // or: reduce over chunk ranges (in parallel), carries(), apply over chunk ranges (in parallel)
 */
export function chunkedScanPhases(M: TypedArray, span: ScanSpan, chunks: ChunkPlan, scratch: ChunkScratch): ChunkedScanPhases {
  if (scratch.carry.length < chunks.count * span.C)
    fail('graph', `compile: chunk scratch holds ${scratch.carry.length} values, needs ${chunks.count * span.C}`);
  const factory = new Function('M', 'P', 'S', 'H', chunkedScanSource(span, chunks)) as (
    m: TypedArray,
    p: Float64Array,
    s: Float64Array,
    h: Float64Array,
  ) => ChunkedScanPhases;
  return factory(M, scratch.prodA, scratch.sumB, scratch.carry);
}

/** How compiled plans run `linear_scan`: `sequential` (one loop over time), `chunked` (the phases above) or `auto`. */
export type ScanAlgorithm = 'auto' | 'sequential' | 'chunked';

/** Columns at or below which `auto` chooses the chunked scan (long T, several threads). */
export const CHUNKED_MAX_COLUMNS = 32;
/** Time steps from which `auto` chooses the chunked scan (few columns, several threads). */
export const CHUNKED_MIN_STEPS = 256;
/**
 * Threads from which `auto` chooses the chunked scan. On one thread the chunked form takes about
 * 1.5–2.3× the sequential loop's time (it reads a and b twice); split over two threads it measured
 * no faster than the sequential loop on one (T 512–16384, 1–32 columns, float32), so two threads
 * cannot win. Four is an estimate from that ratio, not a measurement (this machine has two cores).
 */
export const CHUNKED_MIN_THREADS = 4;

/**
 * Whether a scan of T steps and C columns runs chunked, given the threads that can run its phases:
 * always for `chunked` (T > 1), never for `sequential`; `auto` chooses it for long scans of few
 * columns (T ≥ 256, C ≤ 32), where splitting by columns cannot occupy the threads, only with at
 * least `CHUNKED_MIN_THREADS` threads (fewer keep the faster sequential loop).
 * @example
 * useChunkedScan('auto', 4096, 8, 4); // true
 * useChunkedScan('auto', 4096, 8, 2); // false
 */
export function useChunkedScan(algorithm: ScanAlgorithm, T: number, C: number, threads: number): boolean {
  if (algorithm === 'chunked') return T > 1;
  if (algorithm === 'sequential') return false;
  return threads >= CHUNKED_MIN_THREADS && T >= CHUNKED_MIN_STEPS && C <= CHUNKED_MAX_COLUMNS;
}
