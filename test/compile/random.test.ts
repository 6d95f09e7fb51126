/**
 * Property: on random graphs (the shared recipes: elementwise chains with broadcasting, matmuls,
 * reductions, slices, concats, softmax, layout ops) and on their gradient graphs, the compiled
 * executor equals the interpreter: float64 within 1e-12, float32 within 1e-5, relative to each
 * output's scale. A second generator stresses views: chains of transposes, slices, broadcasts and
 * reshapes feeding fused loops, matmuls (transposed operands) and reductions.
 */
import { describe, it } from 'vitest';
import fc from 'fast-check';
import { buildGraph, compile, interpret, type Graph, type Tensor } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { fcParams, Rng } from '../support/fc.js';
import { buildRecipe, randomFeeds, recipeArb } from '../support/random-graph.js';
import { relativeError } from './helpers.js';

const TOL = { float64: 1e-12, float32: 1e-5 } as const;

function agrees(g: Graph, seed: number): void {
  const feeds = randomFeeds(g, new Rng(seed));
  for (const dtype of ['float64', 'float32'] as const) {
    const got = compile(g, { dtype }).run(feeds);
    const want = interpret(g, feeds, { dtype });
    const err = relativeError(got, want);
    if (!(err <= TOL[dtype])) throw new Error(`${dtype}: relative error ${err} > ${TOL[dtype]}`);
  }
}

describe('compile equals interpret on random graphs', () => {
  it('forward', () => {
    fc.assert(
      fc.property(recipeArb(), fc.nat(), (r, seed) => agrees(buildRecipe(r), seed)),
      fcParams(150),
    );
  });
  it('gradient graphs', () => {
    fc.assert(
      fc.property(recipeArb(), fc.nat(), (r, seed) => agrees(grad(buildRecipe(r), { of: 'loss' }), seed)),
      fcParams(100),
    );
  });
});

/** One layout step applied to a [3,4,5]-ish tensor, kept valid for any parameters. */
type ViewStep = { kind: 'T' | 'slice' | 'bcast' | 'reshape' | 'tanh' | 'mul' | 'matmul' | 'sum'; p: number };
const viewSteps = fc.array(
  fc.record({
    kind: fc.constantFrom('T', 'slice', 'bcast', 'reshape', 'tanh', 'mul', 'matmul', 'sum') as fc.Arbitrary<ViewStep['kind']>,
    p: fc.nat({ max: 11 }),
  }),
  { minLength: 1, maxLength: 10 },
);

function applyView(x: Tensor, y: Tensor, s: ViewStep): Tensor {
  const rank = x.rank;
  switch (s.kind) {
    case 'T':
      return rank >= 2 ? x.T : x;
    case 'slice': {
      if (rank === 0) return x;
      const axis = s.p % rank;
      const n = x.shape[axis]!;
      return n > 2 ? x.slice(axis, s.p % 2, n - (s.p % 3 === 0 ? 0 : 1)) : x;
    }
    case 'bcast':
      return x.reshape([1, ...x.shape]).broadcastTo([2, ...x.shape]);
    case 'reshape':
      return x.reshape([x.size]);
    case 'tanh':
      return x.tanh().add(x.mul(0.5));
    case 'mul':
      return x.mul(
        y
          .reshape([y.size])
          .slice(0, 0, 1)
          .reshape([])
          .add(x.sum(rank > 0 ? rank - 1 : [], true).tanh()),
      );
    case 'matmul': {
      const k = x.shape[rank - 1]!;
      if (rank < 2 || k > y.size) return x;
      return x.matmul(y.reshape([y.size]).slice(0, 0, k).reshape([k, 1]).broadcastTo([k, 3]).T.T);
    }
    case 'sum':
      return rank > 0 ? x.sum(s.p % rank, s.p % 2 === 0).add(1) : x;
  }
}

describe('compile equals interpret on view-heavy graphs', () => {
  it('forward and gradient', () => {
    fc.assert(
      fc.property(viewSteps, fc.nat(), (steps, seed) => {
        const g = buildGraph(
          (b) => {
            const x = b.input('x', [3, 4, 5]);
            const y = b.input('y', [4, 6]);
            let t = x;
            for (const s of steps) if (t.size <= 400) t = applyView(t, y, s);
            return { loss: t.square().mean(), out: t };
          },
          { dtype: 'float64' },
        );
        agrees(g, seed);
        agrees(grad(g, { of: 'loss' }), seed + 1);
      }),
      fcParams(150),
    );
  });
});
