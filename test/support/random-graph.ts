/**
 * Random graphs for property tests: moved to @cellgrad/testing (`recipeArb`, `buildRecipe`,
 * `uniformFeeds`, `smoothFeeds`), re-exported here under the names the tests use.
 */
export { buildRecipe, recipeArb, smoothFeeds, uniformFeeds as randomFeeds, type Recipe, type SmoothOptions, type Step } from '@cellgrad/testing';
