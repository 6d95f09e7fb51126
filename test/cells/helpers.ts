// Shared test helpers for @cellgrad/cells: where the reference vectors live, and tensor comparison.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NDArray } from '@cellgrad/graph';
import { expect } from 'vitest';

/** The repository root (this file is test/cells/helpers.ts). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The PyTorch reference vectors: a copy of ../shared/reference kept in the repository, so the tests
 * run on a machine that has only the clone (test/fixtures/reference.test.ts keeps it equal to the
 * shared folder wherever that exists).
 */
export const referenceDir = path.resolve(repoRoot, 'test/fixtures/reference');

/** The extended reference vectors (bidirectional, packed, projected, batch-first, layer-normalised): a copy of ../shared/reference-extended. */
export const referenceExtendedDir = path.resolve(repoRoot, 'test/fixtures/reference-extended');

/** max|a − b| / max(max|b|, 1e-300). */
export function relDiff(a: NDArray, b: NDArray): number {
  expect(a.shape).toEqual(b.shape);
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.data.length; i++) {
    num = Math.max(num, Math.abs(a.data[i]! - b.data[i]!));
    den = Math.max(den, Math.abs(b.data[i]!));
  }
  return num / Math.max(den, 1e-300);
}

/** Catch the error `fn` throws (fails the test when it does not throw). */
export function thrown(fn: () => unknown): Error & { kind?: string; cause?: unknown } {
  try {
    fn();
  } catch (e) {
    return e as Error & { kind?: string };
  }
  throw new Error('expected the call to throw');
}
