/**
 * The compiled `linear_scan` step: it equals the interpreter exactly (float64 and float32, forward
 * and reverse, inputs that are graph inputs, computed values or views), it is a generated step and
 * not the reference kernel (`stats.scans`, `stats.fallbacks`), and a minGRU training graph compiles
 * with no fallback at all.
 */
import { describe, expect, it } from 'vitest';
import { compile, GraphBuilder, interpret, loweringsOf, ops, type Graph } from '@cellgrad/graph';
import { getBuiltinCell, randomFeeds } from '@cellgrad/cells';
import { cellGraph, relativeError, snapshot } from './helpers.js';

/** Scans of [T, B, H] inputs both ways, of the inputs themselves and of computed coefficients. */
function scanGraph(T: number, B: number, H: number): Graph {
  const b = new GraphBuilder('float64');
  const x = b.input('x', [T, B, H]);
  const y = b.input('y', [T, B, H]);
  const h0 = b.input('h0', [B, H]);
  const gate = x.sigmoid();
  return b.build({
    fwd: ops.linearScan(x, y, h0),
    rev: ops.linearScan(x, y, h0, { reverse: true }),
    // Computed coefficients (their buffers may be reused by the output) and a transposed view.
    gated: ops.linearScan(gate, y.mul(gate.neg().add(1)), h0.tanh()),
    viewed: ops.linearScan(y.transpose([0, 2, 1]), x.transpose([0, 2, 1]), h0.transpose([1, 0]), { reverse: true }),
  });
}

describe('compiled linear_scan', () => {
  it('is listed in the lowering table as a generated JavaScript step', () => {
    expect(loweringsOf('linear_scan').js).toBe('compile/js/scan.ts');
  });

  for (const dtype of ['float64', 'float32'] as const) {
    for (const [T, B, H] of [
      [1, 1, 1],
      [5, 3, 4],
      [17, 2, 9],
    ] as const) {
      it(`equals the interpreter, forward and reverse, ${dtype}, T=${T} B=${B} H=${H}`, () => {
        const g = scanGraph(T, B, H);
        const feeds = randomFeeds(g, { seed: T + B + H });
        const exe = compile(g, { dtype });
        expect(exe.stats.scans).toBe(4);
        expect(exe.stats.fallbacks).toBe(0);
        const first = snapshot(exe.run(feeds));
        const { gated, ...exact } = interpret(g, feeds, { dtype });
        // The scans of the inputs and of views of them are bit for bit the interpreter's; float32
        // sigmoid and tanh in fused loops are within one float32 ulp (see fastmath.ts).
        expect(relativeError(first, exact)).toBe(0);
        expect(relativeError(first, { gated: gated! })).toBeLessThanOrEqual(dtype === 'float64' ? 0 : 1e-6);
        expect(relativeError(exe.run(feeds), first)).toBe(0);
      });
    }
  }

  for (const dtype of ['float64', 'float32'] as const) {
    it(`a minGRU training graph compiles with no fallback and equals the interpreter (${dtype})`, () => {
      const g = cellGraph(getBuiltinCell('mingru'), { input: 5, hidden: 7, batch: 3, steps: 6 }, true);
      expect(g.nodes.filter((n) => n.op === 'linear_scan').length).toBe(2);
      const exe = compile(g, { dtype });
      expect(exe.stats.fallbacks).toBe(0);
      expect(exe.stats.scans).toBe(2);
      const feeds = randomFeeds(g, { seed: 3 });
      const got = snapshot(exe.run(feeds));
      expect(relativeError(got, interpret(g, feeds, { dtype }))).toBeLessThanOrEqual(dtype === 'float64' ? 1e-12 : 1e-5);
    });
  }
});
