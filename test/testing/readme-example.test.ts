// The example of packages/testing/README.md, character for character after this header (test/testing/readme.test.ts
// keeps the two equal): a user's cell checked with toPassGradcheck, at fixed sizes and as fast-check properties.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defineCell, linear } from 'cellgrad';
import { arb } from 'cellgrad/testing'; // registers toPassGradcheck

// The minimal gated unit (Zhou et al. 2016): one gate f serves as forget and reset gate.
const mgu = defineCell({
  name: 'mgu',
  params: ({ input: I, hidden: H }) => ({ W: [2 * H, I], U: [2 * H, H], b: [2 * H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { W, U, b }) => {
    const [Wf, Wn] = W.split(2, 0);
    const [Uf, Un] = U.split(2, 0);
    const [bf, bn] = b.split(2);
    const f = linear(x, Wf, bf).add(linear(h, Uf)).sigmoid();
    const n = linear(x, Wn, bn)
      .add(linear(f.mul(h), Un))
      .tanh();
    return { h: f.oneMinus().mul(h).add(f.mul(n)) };
  },
});

describe('mgu', () => {
  it('has the gradients of the function it computes', () => {
    expect(mgu).toPassGradcheck(); // input 3, hidden 4, batch 2, steps 5: every Jacobian element
    expect(mgu).toPassGradcheck({ steps: 3, layers: 2, bidirectional: true, lengths: true, mode: 'fast', order: 2 });
  });

  it('at any small size and seed', () => {
    fc.assert(
      fc.property(arb.cellSizes({ maxSteps: 4, maxLayers: 2 }), arb.seed(), (sizes, seed) => {
        expect(mgu).toPassGradcheck({ ...sizes, seed, mode: 'fast' });
      }),
      { numRuns: 10 },
    );
  });

  it('and so do random cells', () => {
    fc.assert(
      fc.property(arb.randomCell(), arb.cellSizes(), (cell, sizes) => {
        expect(cell).toPassGradcheck({ ...sizes, mode: 'fast' });
      }),
      { numRuns: 10 },
    );
  });
});
