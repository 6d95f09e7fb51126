/**
 * fast-check arbitraries for cellgrad properties: cell sizes, seeded feeds for a cell or a graph,
 * and random cells. Values come from cellgrad's own seeded generators (`cellFeeds`, `randomFeeds`)
 * under a seed fast-check draws, so a counterexample is reproducible from its seed alone.
 */
import fc from 'fast-check';
import type { Graph, NDArray } from '@cellgrad/graph';
import { cellFeeds as seededCellFeeds, randomFeeds, type Cell, type UnrollOptions } from '@cellgrad/cells';
import { buildRecipe, recipeArb, smoothFeeds, type Recipe, type SmoothOptions } from './random/graph-recipe.js';
import { seed } from './random/seed.js';
import { RANDOM_CELL_ACTIVATIONS, randomCell as buildRandomCell, type RandomCellActivation, type RandomCellSpec } from './random-cell.js';

export { seed } from './random/seed.js';

/** Sizes of an unrolled cell, as `unroll` and `toPassGradcheck` take them. */
export interface CellSizeCase {
  readonly input: number;
  readonly hidden: number;
  readonly batch: number;
  readonly steps: number;
  readonly layers: number;
  readonly bidirectional: boolean;
}

/** Upper bounds (each at least 1) of `cellSizes`; small by default, since a full gradcheck grows with every size. */
export interface CellSizeBounds {
  /** Largest input width (default 3). */
  readonly maxInput?: number;
  /** Largest hidden width (default 3). */
  readonly maxHidden?: number;
  /** Largest batch (default 2). */
  readonly maxBatch?: number;
  /** Most time steps (default 4). */
  readonly maxSteps?: number;
  /** Most stacked layers (default 1). */
  readonly maxLayers?: number;
  /** Draw `bidirectional` too (default false: always one direction). */
  readonly bidirectional?: boolean;
}

const bound = (value: number | undefined, fallback: number, name: string): number => {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`cellSizes: '${name}' must be a positive integer, got ${JSON.stringify(value)}`);
  return v;
};

/**
 * Cell sizes, each from 1 to its bound (shrinking towards 1).
 * @example
 * fc.assert(fc.property(arb.cellSizes({ maxSteps: 6 }), (sizes) => { expect(lstm).toPassGradcheck(sizes); }));
 */
export function cellSizes(bounds: CellSizeBounds = {}): fc.Arbitrary<CellSizeCase> {
  return fc.record({
    input: fc.integer({ min: 1, max: bound(bounds.maxInput, 3, 'maxInput') }),
    hidden: fc.integer({ min: 1, max: bound(bounds.maxHidden, 3, 'maxHidden') }),
    batch: fc.integer({ min: 1, max: bound(bounds.maxBatch, 2, 'maxBatch') }),
    steps: fc.integer({ min: 1, max: bound(bounds.maxSteps, 4, 'maxSteps') }),
    layers: fc.integer({ min: 1, max: bound(bounds.maxLayers, 1, 'maxLayers') }),
    bidirectional: bounds.bidirectional ? fc.boolean() : fc.constant(false),
  });
}

/**
 * Feeds for every input of `unroll(cell, options)` (in `options.dtype`, default float64):
 * `cellFeeds(cell, options, s)` for a drawn seed s (data uniform in [−scale, scale), parameters as
 * the cell initialises them).
 * @example
 * fc.property(arb.cellFeeds(lstm, sizes), (feeds) => expect({ graph, feeds }).toPassGradcheck());
 */
export function cellFeeds(cell: Cell, options: UnrollOptions, feedOptions: { readonly scale?: number } = {}): fc.Arbitrary<Record<string, NDArray>> {
  const o: UnrollOptions = { dtype: 'float64', ...options };
  return seed().map((s) => seededCellFeeds(cell, o, s, feedOptions));
}

/** Feeds for every input of `graph`: uniform in [−scale, scale) (`randomFeeds`) under a drawn seed; random keys get keys. */
export function graphFeeds(graph: Graph, options: { readonly scale?: number } = {}): fc.Arbitrary<Record<string, NDArray>> {
  return seed().map((s) => randomFeeds(graph, { seed: s, ...options }));
}

/** Specs of random cells (see `RandomCellSpec`): 1 to `maxGates` gates (default 4). */
export function randomCellSpec(options: { readonly maxGates?: number } = {}): fc.Arbitrary<RandomCellSpec> {
  const names = Object.keys(RANDOM_CELL_ACTIVATIONS) as RandomCellActivation[];
  const maxGates = bound(options.maxGates, 4, 'maxGates');
  return fc.record({
    gates: fc.integer({ min: 1, max: maxGates }),
    separate: fc.boolean(),
    bias: fc.boolean(),
    acts: fc.array(fc.constantFrom(...names), { minLength: maxGates, maxLength: maxGates }),
    update: fc.constantFrom('sum' as const, 'gated' as const),
  });
}

/**
 * Random cells (`randomCell` of a `randomCellSpec`), named after their spec so a counterexample says
 * which cell it was.
 * @example
 * fc.property(arb.randomCell(), arb.cellSizes(), (cell, sizes) => { expect(cell).toPassGradcheck({ ...sizes, mode: 'fast' }); });
 */
export function randomCell(options: { readonly maxGates?: number } = {}): fc.Arbitrary<Cell> {
  return randomCellSpec(options).map(buildRandomCell);
}

/** A random graph with feeds where finite differences are meaningful, as `arb.randomGraph` draws it. */
export interface RandomGraphCase {
  /** The graph: inputs `x0…`, one scalar output `loss` (float64). */
  readonly graph: Graph;
  /** Feeds at least `margin` away from every kink, jump and domain edge of the graph's ops. */
  readonly feeds: Record<string, NDArray>;
  /** The recipe it was built from (plain data; what fast-check shrinks and prints). */
  readonly recipe: Recipe;
}

/**
 * Recipes of random graphs (`recipeArb`): 1–`maxInputs` inputs of rank ≤ 3 and 1–`maxSteps` steps of
 * elementwise ops, matmuls, reductions, slices, concatenations, softmax, cross-entropy and layout ops.
 */
export function graphRecipe(options: { readonly maxInputs?: number; readonly maxSteps?: number } = {}): fc.Arbitrary<Recipe> {
  return recipeArb(options);
}

/**
 * Random graphs with smooth feeds (`smoothFeeds`: every op's inputs `margin` away from its kinks, every
 * value finite and moderate); recipes for which no such feeds were found are skipped.
 * @example
 * fc.property(arb.randomGraph(), ({ graph, feeds }) => { expect({ graph, feeds }).toPassGradcheck(); });
 */
export function randomGraph(options: { readonly maxInputs?: number; readonly maxSteps?: number } & SmoothOptions = {}): fc.Arbitrary<RandomGraphCase> {
  const { maxInputs, maxSteps, ...smooth } = options;
  return fc
    .tuple(recipeArb({ ...(maxInputs !== undefined ? { maxInputs } : {}), ...(maxSteps !== undefined ? { maxSteps } : {}) }), seed())
    .map(([recipe, s]) => {
      const graph = buildRecipe(recipe);
      return { graph, feeds: smoothFeeds(graph, s, smooth), recipe };
    })
    .filter((c): c is RandomGraphCase => c.feeds !== undefined);
}
