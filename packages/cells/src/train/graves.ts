/**
 * Graves-style gradient clipping: `gravesClip(h, bound)` is h in the forward pass and, in the
 * backward pass, clamps the cotangent flowing into h to [−bound, bound] (the `clip_grad` op).
 * `withGravesClip(cell, bound)` wraps any cell so every state entering a step is clipped, for use
 * with `unroll`; the training model does the same through its `gravesClip` option.
 */
import { CellgradError, ops, type Tensor } from '@cellgrad/graph';
import type { Cell, StepInputs } from '../cell.js';
import { defineCell } from '../define-cell.js';

function checkBound(bound: number, fn: string): void {
  if (!(bound > 0) || !Number.isFinite(bound)) throw new CellgradError('usage', `${fn}: bound must be a positive number, got ${bound}`);
}

/** h unchanged; its gradient clamped elementwise to [−bound, bound] (Theano `grad_clip`). */
export function gravesClip(h: Tensor, bound: number): Tensor {
  checkBound(bound, 'gravesClip');
  return ops.clipGrad(h, bound);
}

/**
 * The same cell with Graves clipping on every state between steps: identical forward values; the
 * gradient flowing back through each state is clamped to [−bound, bound] at every step.
 * @example
 * const g = unroll(withGravesClip(getBuiltinCell('lstm'), 1), { input: 2, hidden: 8, batch: 4, steps: 50 });
 */
export function withGravesClip(cell: Cell, bound: number): Cell {
  checkBound(bound, 'withGravesClip');
  return defineCell({
    name: `${cell.name}+graves(${bound})`,
    doc: `${cell.doc ?? cell.name}; state gradients clipped to ±${bound} between steps (Graves)`,
    params: (sizes) => ({ ...cell.paramShapes(sizes) }),
    state: (sizes) => ({ ...cell.stateShapes(sizes) }),
    step: (inputs, params) => {
      const clipped: Record<string, Tensor> = {};
      for (const [k, v] of Object.entries(inputs)) clipped[k] = k === 'x' ? v : gravesClip(v, bound);
      return cell.step(clipped as StepInputs, params);
    },
    outputSize: (sizes) => cell.outputSize(sizes),
    ...(cell.output !== undefined ? { output: cell.output } : {}),
    ...(cell.init !== undefined ? { init: cell.init } : {}),
  });
}
