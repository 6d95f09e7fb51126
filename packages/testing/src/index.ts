/**
 * @cellgrad/testing — gradient checks inside a researcher's own vitest suite. Importing it registers
 * the matcher `expect(subject).toPassGradcheck(options)` (a cell, a graph, or `{ graph, feeds }`;
 * the failure message is the gradcheck table), and `arb` holds fast-check arbitraries for cell
 * sizes, feeds and random cells. vitest and fast-check are peer dependencies.
 * @example
 * import 'cellgrad/testing';
 * import { expect, it } from 'vitest';
 * it('my cell', () => expect(myCell).toPassGradcheck({ steps: 3 }));
 */
export { checkGradients, gradcheckMessage, type GradientCheck } from './check.js';
export { gradcheckMatchers, type GradcheckMatchers, type MatcherResult } from './matcher.js';
export { gradcheckSubject, type GradcheckSubject } from './subject.js';
export { DEFAULT_CELL_SIZES, type GradcheckMatcherOptions } from './options.js';
export { randomCell, randomCellName, RANDOM_CELL_ACTIVATIONS, type RandomCellActivation, type RandomCellSpec } from './random-cell.js';
export * as arb from './arbitraries.js';
export type { CellSizeBounds, CellSizeCase, RandomGraphCase } from './arbitraries.js';
export { Mulberry32 } from './random/mulberry32.js';
export { kinkDistance, nodeKinkDistance, type KinkReport } from './random/kinks.js';
export {
  buildRecipe,
  recipeArb,
  smoothFeeds,
  uniformFeeds,
  type BinaryName,
  type Recipe,
  type SmoothOptions,
  type Step,
  type UnaryName,
} from './random/graph-recipe.js';
