/**
 * The chunked `linear_scan` (compile/js/scan-chunked.ts): its phases equal the sequential kernel to
 * 1e-12 in float64 for random a, b, T, columns, chunk lengths and both directions (also written in
 * place over a or b), and compiled plans with `scan: 'chunked'` equal the interpreter (float64 to
 * 1e-12, float32 to float32 rounding), forward, reverse and through a minGRU training graph.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  chunkedScanPhases,
  chunkPlan,
  chunkScratch,
  compile,
  GraphBuilder,
  interpret,
  getOp,
  ops,
  useChunkedScan,
  type Graph,
  type Outputs,
  type ScanSpan,
} from '@cellgrad/graph';
import { getBuiltinCell, randomFeeds } from '@cellgrad/cells';
import { fcParams, Rng, rngSeed } from '../support/fc.js';
import { cellGraph, relativeError, snapshot } from './helpers.js';

/** The sequential reference kernel's result for a, b, h0. */
function sequential(a: Float64Array, b: Float64Array, h0: Float64Array, T: number, C: number, reverse: boolean): Float64Array {
  const out = { shape: [T, C], data: new Float64Array(T * C) };
  getOp('linear_scan').kernel({
    inputs: [
      { shape: [T, C], data: a },
      { shape: [T, C], data: b },
      { shape: [C], data: h0 },
    ],
    out,
    attrs: { reverse },
  });
  return out.data;
}

/** max |x − y| / max(1, |y|). */
function maxRelative(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let worst = 0;
  for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!) / Math.max(1, Math.abs(y[i]!)));
  return worst;
}

describe('chunked linear_scan phases', () => {
  it('equal the sequential scan to 1e-12 (float64): random a, b, T, columns, chunk lengths, both directions, in place', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        fc.constantFrom('fresh', 'over a', 'over b'),
        rngSeed(),
        (T, C, length, reverse, placement, seed) => {
          const rng = new Rng(seed);
          const n = T * C;
          // Arena: a, b, h0, out; the output may be placed over a or b as the memory plan may do.
          const M = new Float64Array(3 * n + C);
          for (let i = 0; i < n; i++) M[i] = rng.uniform(-1.1, 1.1);
          for (let i = n; i < 2 * n + C; i++) M[i] = rng.uniform(-2, 2);
          const a = M.slice(0, n);
          const b = M.slice(n, 2 * n);
          const h0 = M.slice(2 * n, 2 * n + C);
          const out = placement === 'over a' ? 0 : placement === 'over b' ? n : 2 * n + C;
          const span: ScanSpan = { a: 0, b: n, h0: 2 * n, out, T, C, reverse };
          const chunks = chunkPlan(T, length);
          chunkedScanPhases(M, span, chunks, chunkScratch(chunks, C)).run();
          expect(maxRelative(M.subarray(out, out + n), sequential(a, b, h0, T, C, reverse))).toBeLessThanOrEqual(1e-12);
        },
      ),
      fcParams(150),
    );
  });

  it('run as separate phases over chunk ranges (as threads would) give the same result', () => {
    const T = 1000;
    const C = 3;
    const rng = new Rng(7);
    const M = new Float64Array(3 * T * C + C).map(() => rng.uniform(-1, 1));
    const reference = sequential(M.slice(0, T * C), M.slice(T * C, 2 * T * C), M.slice(2 * T * C, 2 * T * C + C), T, C, true);
    const span: ScanSpan = { a: 0, b: T * C, h0: 2 * T * C, out: 2 * T * C + C, T, C, reverse: true };
    const chunks = chunkPlan(T, 37);
    expect(chunks).toEqual({ length: 37, count: 28 });
    const phases = chunkedScanPhases(
      M,
      span,
      chunks,
      chunkScratch(chunks, C, (k) => new Float64Array(new SharedArrayBuffer(8 * k))),
    );
    for (const [k0, k1] of [
      [10, 28],
      [0, 10],
    ] as const)
      phases.reduce(k0, k1);
    phases.carries();
    for (const [k0, k1] of [
      [20, 28],
      [0, 5],
      [5, 20],
    ] as const)
      phases.apply(k0, k1);
    expect(maxRelative(M.subarray(span.out, span.out + T * C), reference)).toBeLessThanOrEqual(1e-12);
  });

  it('chooses the chunked form under auto for long scans of few columns on several threads', () => {
    expect(useChunkedScan('auto', 4096, 8, 4)).toBe(true);
    expect(useChunkedScan('auto', 4096, 8, 1)).toBe(false);
    expect(useChunkedScan('auto', 4096, 8, 2)).toBe(false);
    expect(useChunkedScan('auto', 4096, 8192, 4)).toBe(false);
    expect(useChunkedScan('auto', 50, 1, 4)).toBe(false);
    expect(useChunkedScan('chunked', 50, 8192, 1)).toBe(true);
    expect(useChunkedScan('sequential', 4096, 1, 4)).toBe(false);
    expect(chunkPlan(4096)).toEqual({ length: 257, count: 16 });
    expect(() => chunkPlan(10, 0)).toThrow(/chunk length must be an integer ≥ 1/);
  });
});

/** Scans of [T, B, H] both ways, of inputs and of computed coefficients. */
function scanGraph(T: number, B: number, H: number): Graph {
  const b = new GraphBuilder('float64');
  const x = b.input('x', [T, B, H]);
  const y = b.input('y', [T, B, H]);
  const h0 = b.input('h0', [B, H]);
  const gate = x.sigmoid();
  return b.build({
    fwd: ops.linearScan(x, y, h0),
    rev: ops.linearScan(x, y, h0, { reverse: true }),
    gated: ops.linearScan(gate, y.mul(gate.neg().add(1)), h0.tanh(), { reverse: true }),
  });
}

describe('compiled chunked linear_scan', () => {
  for (const dtype of ['float64', 'float32'] as const) {
    for (const [T, B, H, chunk] of [
      [2, 1, 1, 1],
      [37, 2, 3, 5],
      [300, 1, 4, undefined],
    ] as const) {
      it(`equals the interpreter, ${dtype}, T=${T} B=${B} H=${H} chunk ${chunk ?? 'default'}`, () => {
        const g = scanGraph(T, B, H);
        const feeds = randomFeeds(g, { seed: T + H });
        const exe = compile(g, { dtype, scan: 'chunked', ...(chunk === undefined ? {} : { scanChunk: chunk }) });
        expect(exe.stats.scans).toBe(3);
        expect(exe.stats.chunkedScans).toBe(3);
        expect(exe.source()).toContain('chunked');
        const got = snapshot(exe.run(feeds));
        // float32: the carries between chunks are float64, so values differ from the step loop's by rounding.
        expect(relativeError(got, interpret(g, feeds, { dtype }))).toBeLessThanOrEqual(dtype === 'float64' ? 1e-12 : 1e-5);
        expect(relativeError(exe.run(feeds), got)).toBe(0);
      });
    }
  }

  it('is not chosen by auto on one thread, and is by chunked', () => {
    expect(compile(scanGraph(300, 1, 4), { dtype: 'float64' }).stats.chunkedScans).toBe(0);
    expect(compile(scanGraph(300, 1, 4), { dtype: 'float64', scan: 'sequential' }).stats.chunkedScans).toBe(0);
    expect(compile(scanGraph(300, 1, 4), { dtype: 'float64', scan: 'chunked' }).stats.chunkedScans).toBe(3);
  });

  it('runs a minGRU training graph (forward scan and its reverse VJP scan) equal to the interpreter', () => {
    const g = cellGraph(getBuiltinCell('mingru'), { input: 3, hidden: 2, batch: 1, steps: 40 }, true);
    const feeds = randomFeeds(g, { seed: 5 });
    const exe = compile(g, { dtype: 'float64', scan: 'chunked', scanChunk: 6 });
    expect(exe.stats.chunkedScans).toBe(2);
    expect(relativeError(exe.run(feeds), interpret(g, feeds, { dtype: 'float64' }))).toBeLessThanOrEqual(1e-12);
  });

  it('rejects an unknown scan algorithm or chunk length with a usage error', () => {
    const g = scanGraph(3, 1, 1);
    expect(() => compile(g, { scan: 'parallel' as never })).toThrow(/compile: scan must be one of auto, sequential, chunked, got "parallel"/);
    expect(() => compile(g, { scanChunk: 0 })).toThrow(/compile: scanChunk must be an integer ≥ 1/);
  });
});

/** Names of outputs that differ in any bit from `b`'s. */
function differences(a: Outputs, b: Outputs): string[] {
  return Object.keys(b).filter((k) => a[k]!.data.some((x, j) => !Object.is(x, b[k]!.data[j])));
}

describe('chunked linear_scan on worker threads', () => {
  it('splits reduce and apply by chunk ranges, equal to one thread bit for bit, both directions (float32)', () => {
    const g = scanGraph(700, 2, 3);
    const feeds = randomFeeds(g, { seed: 11 });
    const one = snapshot(compile(g, { dtype: 'float32', scan: 'chunked', scanChunk: 33 }).run(feeds));
    const exe = compile(g, { dtype: 'float32', scan: 'chunked', scanChunk: 33, threads: 2 });
    try {
      expect(exe.stats.threads).toBe(2);
      expect(exe.stats.chunkedScans).toBe(3);
      expect(exe.stats.threaded).toBeGreaterThanOrEqual(3);
      for (let run = 0; run < 2; run++) expect(differences(exe.run(feeds), one)).toEqual([]);
      expect(relativeError(one, interpret(g, feeds, { dtype: 'float32' }))).toBeLessThanOrEqual(1e-5);
      const labels = exe.profile(feeds, 1).map((e) => e.label);
      expect(labels).toContain('linear_scan 700×2×3 chunked 22×33 · 2 threads');
      expect(labels).toContain('linear_scan 700×2×3 reverse chunked 22×33 · 2 threads');
    } finally {
      exe.dispose();
    }
  });

  it('is chosen by auto on four threads for long scans of few columns, not for many columns, short scans or two threads', () => {
    const cases = [
      [scanGraph(512, 1, 8), 4, 3],
      [scanGraph(512, 1, 8), 2, 0],
      [scanGraph(512, 1, 64), 4, 0],
      [scanGraph(100, 1, 8), 4, 0],
    ] as const;
    for (const [g, threads, chunked] of cases) {
      const exe = compile(g, { dtype: 'float32', threads });
      try {
        expect(exe.stats.chunkedScans).toBe(chunked);
        if (chunked > 0)
          expect(differences(exe.run(randomFeeds(g, { seed: 2 })), compile(g, { dtype: 'float32', scan: 'chunked' }).run(randomFeeds(g, { seed: 2 })))).toEqual(
            [],
          );
      } finally {
        exe.dispose();
      }
    }
  });

  it('runs a minGRU training graph (hidden 8, T 512) on two threads equal to one thread and the interpreter', () => {
    const g = cellGraph(getBuiltinCell('mingru'), { input: 4, hidden: 8, batch: 1, steps: 512 }, true);
    const feeds = randomFeeds(g, { seed: 3 });
    const one = snapshot(compile(g, { dtype: 'float32', scan: 'chunked' }).run(feeds));
    const exe = compile(g, { dtype: 'float32', scan: 'chunked', threads: 2 });
    try {
      expect(exe.stats.chunkedScans).toBe(2);
      expect(differences(exe.run(feeds), one)).toEqual([]);
      expect(relativeError(one, interpret(g, feeds, { dtype: 'float32' }))).toBeLessThanOrEqual(1e-4);
      expect(relativeError(compile(g, { dtype: 'float64', scan: 'chunked' }).run(feeds), interpret(g, feeds, { dtype: 'float64' }))).toBeLessThanOrEqual(1e-12);
    } finally {
      exe.dispose();
    }
  });
});
