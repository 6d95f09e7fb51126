/**
 * `outputFeedback(cell)`: the Jordan pattern for any cell. The wrapped cell sees, besides x(t), its
 * own previous output y(t−1), and its output is a dense readout of the inner cell's output:
 *   inner states' = cell.step([x ; y], inner states)
 *   y' = inner output · W_hyᵀ + b_y
 * Parameters: the inner cell's (with input width I + O), weight_hy [O, inner output], bias_y [O];
 * states: the inner cell's plus `y` [O]. Because y is a state and the output, the wrapped cell can
 * be unrolled with teacher forcing (`unroll(..., { teacherForcing: true })`).
 */
import { CellgradError, concat, linear, type Tensor } from '@cellgrad/graph';
import type { Cell, CellSizes } from '../cell.js';
import { cellFail, defineCell, isCell } from '../define-cell.js';

/** Options of `outputFeedback`. */
export interface OutputFeedbackOptions {
  /** Output width O (default: the hidden size). */
  readonly outputs?: number;
  /** The new cell's name (default `<cell>_feedback`). */
  readonly name?: string;
}

/**
 * Wrap `cell` so its previous output feeds back into its input (Jordan feedback).
 * @example
 * const g = unroll(outputFeedback(lstm, { outputs: 2 }), { input: 3, hidden: 8, batch: 4, steps: 10, teacherForcing: true });
 */
export function outputFeedback(cell: Cell, options: OutputFeedbackOptions = {}): Cell {
  if (!isCell(cell)) throw new CellgradError('usage', 'outputFeedback: the first argument must be a cell made by defineCell');
  const name = options.name ?? `${cell.name}_feedback`;
  const O = (s: CellSizes) => options.outputs ?? s.hidden;
  const inner = (s: CellSizes): CellSizes => ({ input: s.input + O(s), hidden: s.hidden });
  return defineCell({
    name,
    doc: `${cell.name} with Jordan output feedback: [x ; y_prev] in, y = out W_hy^T + b_y`,
    output: 'y',
    params: (s) => {
      const shapes = cell.paramShapes(inner(s));
      for (const p of ['weight_hy', 'bias_y']) if (p in shapes) cellFail(name, `the inner cell already has a parameter '${p}'`);
      return { ...shapes, weight_hy: [O(s), cell.outputSize(inner(s))], bias_y: [O(s)] };
    },
    state: (s) => {
      const shapes = cell.stateShapes(inner(s));
      if ('y' in shapes) cellFail(name, "the inner cell already has a state 'y'");
      return { ...shapes, y: [O(s)] };
    },
    outputSize: O,
    step: ({ x, y, ...states }, { weight_hy, bias_y, ...params }) => {
      const result = cell.step({ ...states, x: concat([x, y!], -1) } as { x: Tensor } & Record<string, Tensor>, params);
      const names = Object.keys(states);
      const out = result[cell.output ?? ('y' in result ? 'y' : names[0]!)];
      if (!out) cellFail(name, `the inner cell '${cell.name}' returned no output`);
      const next: Record<string, Tensor> = {};
      for (const s of names) next[s] = result[s]!;
      next.y = linear(out!, weight_hy!, bias_y);
      return next;
    },
    ...(cell.init ? { init: (s, rng) => cell.init!(inner(s), rng) } : {}),
  });
}
