import { describe, expect, it } from 'vitest';
import { buildGraph, interpret } from '@cellgrad/graph';

describe('smoke', () => {
  it('evaluates a tiny graph', () => {
    const g = buildGraph((b) => ({ y: b.input('x', [2]).mul(3).sum() }), { dtype: 'float64' });
    expect(interpret(g, { x: [1, 2] }).y!.data[0]).toBe(9);
  });
});
