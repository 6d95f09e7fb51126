/**
 * How far a graph evaluation is from the points where finite differences stop agreeing with the
 * derivative: moved to @cellgrad/testing (`kinkDistance`, `nodeKinkDistance`), re-exported here for the tests.
 */
export { kinkDistance, nodeKinkDistance, type KinkReport } from '@cellgrad/testing';
