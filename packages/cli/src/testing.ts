/**
 * `cellgrad/testing` — the test helpers of `@cellgrad/testing` under the umbrella package: importing
 * it registers the vitest matcher `expect(cell).toPassGradcheck({ … })` (its failure message is the
 * gradcheck table) and gives fast-check arbitraries in `arb` (cell sizes, feeds, random cells).
 * A separate entry, so that `import … from 'cellgrad'` never loads vitest or fast-check.
 * @example
 * import { arb } from 'cellgrad/testing';
 * import { expect, it } from 'vitest';
 * it('my cell', () => expect(myCell).toPassGradcheck({ steps: 3 }));
 */
export * from '@cellgrad/testing';
