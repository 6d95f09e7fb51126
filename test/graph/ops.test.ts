/**
 * Kernel values of every registered op against hand-written expectations on small cases. The table
 * KERNEL_CASES has one entry per op name; a test fails when a registered op has no entry, so a new
 * op cannot go unchecked.
 */
import { describe, expect, it } from 'vitest';
import { crossEntropy, listOps, softplus } from '@cellgrad/graph';
import { ELEMENTWISE_CASES } from './kernel-cases/elementwise.js';
import { c, expectValues, run } from './kernel-cases/helpers.js';
import { SPECIAL_CASES } from './kernel-cases/special.js';
import { STRUCTURAL_CASES } from './kernel-cases/structural.js';

/** One kernel case per op name, from the three tables. */
const KERNEL_CASES: Record<string, () => void> = { ...ELEMENTWISE_CASES, ...STRUCTURAL_CASES, ...SPECIAL_CASES };

describe('kernels', () => {
  it('every registered op has a kernel case here', () => {
    const missing = listOps()
      .map((o) => o.name)
      .filter((n) => !(n in KERNEL_CASES) && !n.startsWith('__test_'));
    expect(missing).toEqual([]);
  });

  // Cases run for the ops that are registered (an entry may be ahead of its op landing).
  it.each(
    listOps()
      .filter((o) => o.name in KERNEL_CASES)
      .map((o) => [o.name]),
  )('%s', (name) => {
    KERNEL_CASES[name]!();
  });

  it('crossEntropy is stable for huge logits and equals −Σ t·log softmax', () => {
    const v = run((b) => crossEntropy(c(b, [1000, 0, 0, 0, 1, 2], [3, 2]), c(b, [0, 1, 1, 0, 0.25, 0.75], [3, 2])));
    const ls = [1 - Math.log(Math.E + Math.E ** 2), 2 - Math.log(Math.E + Math.E ** 2)];
    expectValues(v, [3], [1000, Math.LN2, -(0.25 * ls[0]! + 0.75 * ls[1]!)]);
  });

  it('softplus is stable: log(1 + eˣ) without overflow', () => {
    expectValues(
      run((b) => softplus(c(b, [0, 1, -1, 1000, -1000], [5]))),
      [5],
      [Math.LN2, Math.log1p(Math.E), Math.log1p(1 / Math.E), 1000, 0],
    );
  });
});
