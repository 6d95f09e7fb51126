/**
 * The hook through which `@cellgrad/autodiff` differentiates a `loop` body. The op set cannot import
 * autodiff (it sits above the graph package), so the `loop` op's VJP asks this hook for its body's
 * reverse step, which autodiff registers when it is imported. A loop differentiated without it is a
 * gradient error saying what to import.
 */
import { fail } from '../ir/errors.js';
import type { Graph } from '../ir/node.js';

/** How a loop body's inputs and outputs split (see `loop`). */
export interface LoopBodyShape {
  /** Carried values: the first `carries` inputs and outputs of the body. */
  readonly carries: number;
  /** Per-step slices: the next `sequences` inputs; the remaining inputs are loop-invariant. */
  readonly sequences: number;
  /** Per per-step output: whether it has a cotangent (a zero one is not an input of the reverse step). */
  readonly outputCotangents: readonly boolean[];
  /** Per carry: whether its saved (entering) values have a cotangent (only when the loop saves them and something reads them). */
  readonly savedCotangents: readonly boolean[];
}

/**
 * Builds a loop body's reverse step. With n carries, m sequences, k invariants and p per-step
 * outputs, the reverse body has inputs: carries `dc` (n, the carries' cotangents after the step)
 * and `dw` (k, the invariants' gradients so far); sequences `c` (n, the carries entering the step),
 * `x` (m), `dy` (the per-step outputs' cotangents, those in `outputCotangents`) and `ds` (the saved
 * carries' cotangents, those in `savedCotangents`); invariants `w` (k). Its outputs: carries `dc′` (n, the cotangents of the
 * carries entering the step) and `dw′ = dw + ∂w` (k); per-step outputs `dx` (m).
 */
export type LoopDifferentiator = (body: Graph, shape: LoopBodyShape) => Graph;

let differentiator: LoopDifferentiator | undefined;
const reverseBodies = new Map<string, Graph>();
const MAX_CACHED = 256;

/** Register the loop differentiator (`@cellgrad/autodiff` does so when imported); the last one registered wins. */
export function registerLoopDifferentiator(fn: LoopDifferentiator): void {
  if (typeof fn !== 'function') fail('usage', 'registerLoopDifferentiator: expected a function');
  differentiator = fn;
  reverseBodies.clear();
}

/** The reverse step of a loop body (cached by the body's text), or a gradient error when autodiff is not loaded. */
export function reverseBody(text: string, body: Graph, shape: LoopBodyShape): Graph {
  if (!differentiator) {
    fail('gradient', "loop: differentiating a loop needs the loop differentiator of '@cellgrad/autodiff'; import '@cellgrad/autodiff' (or 'cellgrad') first");
  }
  const flags = (xs: readonly boolean[]) => xs.map((x) => (x ? 1 : 0)).join('');
  const key = `${shape.carries}|${shape.sequences}|${flags(shape.outputCotangents)}|${flags(shape.savedCotangents)}|${text}`;
  let g = reverseBodies.get(key);
  if (!g) {
    g = differentiator(body, shape);
    if (reverseBodies.size >= MAX_CACHED) reverseBodies.delete(reverseBodies.keys().next().value!);
    reverseBodies.set(key, g);
  }
  return g;
}
