/**
 * Property: on random graphs (the shared recipes: elementwise chains with broadcasting, matmuls,
 * reductions, slices, concats, softmax, layout ops) and their gradient graphs, ONNX Runtime gives
 * the interpreter's float32 values within F32_TOL relative to each output's scale, with the model
 * written at opset 17 (reductions' axes as attributes) and 18 (as inputs); gradient graphs also in
 * float64 within F64_TOL.
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { grad } from '@cellgrad/autodiff';
import type { Graph } from '@cellgrad/graph';
import { fcParams, Rng } from '../support/fc.js';
import { buildRecipe, randomFeeds, recipeArb } from '../support/random-graph.js';
import { F32_TOL, F64_TOL, ortVsInterpret } from './helpers.js';

async function agrees(g: Graph, seed: number, opset: number, dtype: 'float32' | 'float64' = 'float32'): Promise<void> {
  const tol = dtype === 'float32' ? F32_TOL : F64_TOL;
  const { name, error } = await ortVsInterpret(g, randomFeeds(g, new Rng(seed)), { opset, dtype });
  if (!(error <= tol)) throw new Error(`${dtype}, opset ${opset}: output '${name}' differs by ${error} (relative) > ${tol}`);
}

describe('ONNX Runtime equals interpret on random graphs (float32)', () => {
  for (const opset of [17, 18]) {
    it(`forward, opset ${opset}`, async () => {
      await fc.assert(
        fc.asyncProperty(recipeArb(), fc.nat(), (r, seed) => agrees(buildRecipe(r), seed, opset)),
        fcParams(40),
      );
    });
    it(`gradient graphs, opset ${opset}`, async () => {
      await fc.assert(
        fc.asyncProperty(recipeArb(), fc.nat(), (r, seed) => agrees(grad(buildRecipe(r), { of: 'loss' }), seed, opset)),
        fcParams(40),
      );
    });
  }
  it('gradient graphs in float64 (F64_TOL)', async () => {
    await fc.assert(
      fc.asyncProperty(recipeArb(), fc.nat(), (r, seed) => agrees(grad(buildRecipe(r), { of: 'loss' }), seed, 17, 'float64')),
      fcParams(40),
    );
  });
});
