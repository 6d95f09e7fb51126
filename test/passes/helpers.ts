/**
 * Shared checks for the pass tests: a pass must keep every output value and every gradient (float64
 * interpreter), keep the graph valid, and be idempotent (running it again changes nothing). Also
 * the small cell graphs (forward + loss, and the training graph with BPTT) every pass is run on.
 */
import { expect } from 'vitest';
import { grad } from '@cellgrad/autodiff';
import { builtinCells, cellFeeds, unroll, type Cell, type UnrollOptions } from '@cellgrad/cells';
import { extendGraph, interpret, print, verify, type Feeds, type Graph, type NDArray } from '@cellgrad/graph';

/** A Graph → Graph pass. */
export type Pass = (g: Graph) => Graph;

/** Largest relative difference allowed between values before and after a pass. */
export const REL_TOL = 1e-11;

/** Every element of `a` equals `b` up to `tol` relative to max(1, |b|) (NaNs and infinities must match). */
export function expectClose(a: NDArray, b: NDArray, what: string, tol = REL_TOL): void {
  expect(a.shape, what).toEqual(b.shape);
  for (let i = 0; i < b.data.length; i++) {
    const x = a.data[i]!;
    const y = b.data[i]!;
    if (Number.isNaN(y) || !Number.isFinite(y)) {
      expect(Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)), `${what}[${i}]: ${x} vs ${y}`).toBe(true);
      continue;
    }
    if (Math.abs(x - y) > tol * Math.max(1, Math.abs(y))) expect.fail(`${what}[${i}]: ${x} vs ${y}`);
  }
}

/** Same outputs (by name) on the same feeds, in float64. */
export function expectSameValues(before: Graph, after: Graph, feeds: Feeds, tol = REL_TOL): void {
  const a = interpret(before, feeds, { dtype: 'float64' });
  const b = interpret(after, feeds, { dtype: 'float64' });
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
  for (const name of Object.keys(a)) expectClose(b[name]!, a[name]!, `output ${name}`, tol);
}

/**
 * The full contract of a pass on `g`: valid result, same values, idempotent; and, when `g` has a
 * scalar output `loss` (and is not itself a gradient graph), the same gradients (grad of the optimised graph, and the pass applied to the
 * gradient graph). Returns the optimised graph.
 */
export function checkPass(pass: Pass, g: Graph, feeds: Feeds, tol = REL_TOL): Graph {
  const h = pass(g);
  verify(h);
  expectSameValues(g, h, feeds, tol);
  expect(print(pass(h)), 'idempotent').toBe(print(h));
  const loss = g.outputs.find((p) => p.name === 'loss');
  const isGradient = g.outputs.some((p) => p.name.startsWith('grad:'));
  if (loss && g.nodes[loss.id]!.shape.length === 0 && !isGradient) {
    const dg = grad(g, { of: 'loss' });
    expectSameValues(dg, grad(h, { of: 'loss' }), feeds, tol);
    const odg = pass(dg);
    verify(odg);
    expectSameValues(dg, odg, feeds, tol);
    expect(print(pass(odg)), 'idempotent on the gradient graph').toBe(print(odg));
  }
  return h;
}

/** Count the nodes of `g` by op. */
export function countOps(g: Graph): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of g.nodes) out[n.op] = (out[n.op] ?? 0) + 1;
  return out;
}

/**
 * Small sizes for cell graphs, step by step (`scan: 'never'`): the time passes work on the per-step
 * structure, which a linear cell's scan form does not have (test/recurrence checks that form).
 */
export const SMALL: UnrollOptions = { input: 3, hidden: 4, batch: 2, steps: 3, dtype: 'float64', scan: 'never' };

/** `unroll(cell)` with a scalar `loss` = mean(out²) added beside the outputs. */
export function cellLossGraph(cell: Cell, options: UnrollOptions = SMALL): Graph {
  return extendGraph(unroll(cell, options), ({ outputs }) => ({ ...outputs, loss: outputs.out!.square().mean() }));
}

/** The training graph of a cell: forward, loss, and the gradient of the loss w.r.t. every input. */
export function cellTrainingGraph(cell: Cell, options: UnrollOptions = SMALL): Graph {
  return grad(cellLossGraph(cell, options), { of: 'loss' });
}

/** Seeded feeds for a cell graph. */
export function cellGraphFeeds(cell: Cell, options: UnrollOptions = SMALL, seed = 7): Feeds {
  return cellFeeds(cell, options, seed);
}

/** Every builtin cell by name. */
export const CELLS: readonly (readonly [string, Cell])[] = Object.entries(builtinCells);
