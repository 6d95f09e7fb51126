/**
 * The compiled executor equals the interpreter on every built-in cell, forward and gradient
 * (unroll + loss mean(out²) + grad to every input), with one and two layers.
 * Tolerances, relative to each output's largest magnitude: float64 1e-12, float32 1e-5.
 */
import { describe, expect, it } from 'vitest';
import { compile, interpret } from '@cellgrad/graph';
import { builtinCells, randomFeeds } from '@cellgrad/cells';
import { cellGraph, relativeError, snapshot } from './helpers.js';

const TOL = { float64: 1e-12, float32: 1e-5 } as const;
// The second size gives the WebAssembly kernel full 4×8 tiles (batch 8, gates 4·12 wide).
const SIZES = [
  { input: 5, hidden: 6, batch: 3, steps: 4 },
  { input: 9, hidden: 12, batch: 8, steps: 3 },
];

describe('compile equals interpret on the built-in cells', () => {
  for (const [name, cell] of Object.entries(builtinCells)) {
    for (const train of [false, true]) {
      for (const [dtype, sizes] of [
        ['float64', SIZES[0]!],
        ['float32', SIZES[0]!],
        ['float32', SIZES[1]!],
        ['float64', SIZES[1]!],
      ] as const) {
        it(`${name} ${train ? 'gradient' : 'forward'} ${dtype} batch ${sizes.batch}`, () => {
          const g = cellGraph(cell, sizes, train);
          const feeds = randomFeeds(g, { seed: 7 });
          const exe = compile(g, { dtype });
          const first = snapshot(exe.run(feeds));
          const want = interpret(g, feeds, { dtype });
          expect(relativeError(first, want)).toBeLessThanOrEqual(TOL[dtype]);
          // A second run on the same buffers gives the same values (no state leaks between runs).
          expect(relativeError(exe.run(feeds), first)).toBe(0);
        });
      }
    }
  }
});
