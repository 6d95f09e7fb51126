/**
 * Every built-in cell, forward (unroll + loss mean(out²)) and gradient (to every input), one and
 * two layers: ONNX Runtime equals the interpreter in float32 within F32_TOL of each output's scale
 * (and in float64 within F64_TOL).
 * A second run of the same session gives the same values.
 */
import { describe, expect, it } from 'vitest';
import { interpret } from '@cellgrad/graph';
import { builtinCells, randomFeeds } from '@cellgrad/cells';
import { compileOnnx } from '@cellgrad/onnx';
import { cellGraph, F32_TOL, F64_TOL, ortVsInterpret, worstError } from './helpers.js';

const sizes = { input: 5, hidden: 6, batch: 3, steps: 4 };

describe('ONNX Runtime equals interpret on the built-in cells (float32)', () => {
  for (const [name, cell] of Object.entries(builtinCells)) {
    for (const train of [false, true]) {
      it(`${name} ${train ? 'gradient' : 'forward'}`, async () => {
        const g = cellGraph(cell, sizes, train);
        const feeds = randomFeeds(g, { seed: 11 });
        const f32 = await ortVsInterpret(g, feeds);
        expect(f32.error, `float32, output ${f32.name}`).toBeLessThanOrEqual(F32_TOL);
        const f64 = await ortVsInterpret(g, feeds, { dtype: 'float64' });
        expect(f64.error, `float64, output ${f64.name}`).toBeLessThanOrEqual(F64_TOL);
      });
    }
  }

  for (const name of ['lstm', 'gru']) {
    it(`${name} gradient through cellgrad's optimisation pipeline ({ optimize: true })`, async () => {
      const g = cellGraph(builtinCells[name]!, sizes, true);
      const { name: worst, error } = await ortVsInterpret(g, randomFeeds(g, { seed: 13 }), { optimize: true });
      expect(error, `output ${worst}`).toBeLessThanOrEqual(F32_TOL);
    });

    it(`${name}, two layers, gradient; repeated runs agree`, async () => {
      const g = cellGraph(builtinCells[name]!, { ...sizes, layers: 2 }, true);
      const feeds = randomFeeds(g, { seed: 12 });
      const exe = await compileOnnx(g, { dtype: 'float32', intraOpNumThreads: 1 });
      const first = await exe.run(feeds);
      const second = await exe.run(feeds);
      await exe.release();
      expect(worstError(first, interpret(g, feeds, { dtype: 'float32' })).error).toBeLessThanOrEqual(F32_TOL);
      expect(worstError(second, first).error).toBe(0);
      expect(Object.keys(first)).toEqual(g.outputs.map((p) => p.name));
    });
  }
});
