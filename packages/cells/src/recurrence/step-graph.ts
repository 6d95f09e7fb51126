/**
 * One step of a cell as a graph: inputs `x` [batch, input], every state by its own name
 * [batch, ...state] and the parameters; outputs the next value of every state (`<state>_next`) and
 * the step's output (`y`). The recurrence analysis and the scan lowering read this graph.
 */
import { GraphBuilder, type DType, type Graph, type Tensor } from '@cellgrad/graph';
import type { Cell, CellSizes } from '../cell.js';
import { runStep } from '../step.js';

/** The name of the output holding state `s`'s next value in a step graph. */
export const nextName = (s: string): string => `${s}_next`;

/** Options of `stepGraph`. */
export interface StepGraphOptions {
  /** Rows of the step (default 2). */
  readonly batch?: number;
  /** Default float64. */
  readonly dtype?: DType;
  /** Time index, layer and number of layers the step's errors name (default step 0 of one layer). */
  readonly step?: number;
  readonly layer?: number;
  readonly layers?: number;
}

/**
 * Trace `cell.step` once into a graph (errors name the cell and step 0, or `options.step`, as in `unroll`).
 * @example
 * const g = stepGraph(getBuiltinCell('gru'), { input: 3, hidden: 4 });
 * g.outputs.map((p) => p.name); // ['h_next', 'y']
 */
export function stepGraph(cell: Cell, sizes: CellSizes, options: StepGraphOptions = {}): Graph {
  const batch = options.batch ?? 2;
  const b = new GraphBuilder(options.dtype ?? 'float64');
  const stateShapes = cell.stateShapes(sizes);
  const x = b.input('x', [batch, sizes.input]);
  const states: Record<string, Tensor> = {};
  for (const [s, shape] of Object.entries(stateShapes)) states[s] = b.input(s, [batch, ...shape]);
  const params: Record<string, Tensor> = {};
  for (const [p, shape] of Object.entries(cell.paramShapes(sizes))) params[p] = b.input(p, shape);
  const ctx = {
    builder: b,
    step: options.step ?? 0,
    layer: options.layer ?? 0,
    layers: options.layers ?? 1,
    batch,
    stateShapes,
    outputSize: cell.outputSize(sizes),
  };
  const r = runStep(cell, ctx, { x, ...states }, params);
  return b.build([...Object.keys(stateShapes).map((s) => [nextName(s), r.states[s]!] as const), ['y', r.output] as const]);
}
