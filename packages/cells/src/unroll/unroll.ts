/**
 * `unroll`: calls a cell's step once per time step (and per stacked layer) inside one trace and
 * returns the graph. Inputs: `x` [steps, batch, input], `<state>0` [layers, batch, ...], then the
 * parameters; outputs: `out` [steps, batch, outputSize], then `<state>_T` [layers, batch, ...].
 * Parameters are single input nodes shared by every step, so hash-consing keeps one node per
 * derived value (such as `W.T`) across the whole sequence.
 */
import { GraphBuilder, stack, type Graph, type Tensor } from '@cellgrad/graph';
import type { Cell } from './cell.js';
import { describeUnroll } from './layout.js';
import type { UnrollOptions } from './options.js';
import { runStep } from './step.js';

/**
 * Unroll `cell` over `steps` time steps (and `layers` stacked layers) into a plain `Graph`.
 * Names and shapes are those of `describeUnroll(cell, options)`; they follow PyTorch's
 * `nn.RNN`/`nn.LSTM`/`nn.GRU` conventions (parameter names get `_l<k>` when `layers > 1`).
 * Errors inside a step name the cell, the step and (for ops) the op and the shapes.
 * @example
 * const g = unroll(getBuiltinCell('lstm'), { input: 3, hidden: 4, batch: 2, steps: 5, dtype: 'float64' });
 * const { out, h_T, c_T } = interpret(g, feeds);
 */
export function unroll(cell: Cell, options: UnrollOptions): Graph {
  const layout = describeUnroll(cell, options, 'unroll');
  const { steps, batch, layers, dtype } = layout.options;
  const b = new GraphBuilder(dtype);
  const declared = new Map<string, Tensor>();
  for (const spec of layout.inputs) declared.set(spec.name, b.input(spec.name, spec.shape, dtype));
  const x = declared.get('x')!;
  const stateNames = Object.keys(layout.stateShapes);
  const finals: Record<string, Tensor[]> = Object.fromEntries(stateNames.map((s) => [s, []]));

  let below: Tensor[] | undefined;
  for (let k = 0; k < layers; k++) {
    const params: Record<string, Tensor> = {};
    for (const spec of layout.inputs) {
      if (spec.role === 'param' && spec.layer === k) params[spec.param!] = declared.get(spec.name)!;
    }
    let states: Record<string, Tensor> = b.scoped({ cell: cell.name, layer: k }, () =>
      Object.fromEntries(stateNames.map((s) => [s, declared.get(`${s}0`)!.index(0, k)])),
    );
    const outputSize = cell.outputSize(layout.layerSizes[k]!);
    const outputs: Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      const xt = below ? below[t]! : b.scoped({ cell: cell.name, step: t, layer: k }, () => x.index(0, t));
      const ctx = { builder: b, step: t, layer: k, layers, batch, stateShapes: layout.stateShapes, outputSize };
      const result = runStep(cell, ctx, { x: xt, ...states }, params);
      states = result.states;
      outputs.push(result.output);
    }
    for (const s of stateNames) finals[s]!.push(states[s]!);
    below = outputs;
  }
  const result: [string, Tensor][] = [['out', stack(below!, 0)]];
  for (const s of stateNames) result.push([`${s}_T`, stack(finals[s]!, 0)]);
  return b.build(result);
}
