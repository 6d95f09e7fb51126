/**
 * `unroll`: calls a cell's step once per time step, per stacked layer and per direction inside one
 * trace and returns the graph. Inputs: `x` [steps, batch, input] ([batch, steps, input] batch-first),
 * `lengths` [batch] (variable-length batches), `<state>0` [layers·dirs, batch, ...], `targets`
 * (teacher forcing), the parameters, the head (seq2one); outputs: `out` [steps, batch, outputs] (or
 * `logits`, `probs`), then `<state>_T` [layers·dirs, batch, ...]. Parameters are single input nodes
 * shared by every step, so hash-consing keeps one node per derived value (such as `W.T`).
 */
import { concat, GraphBuilder, stack, type Graph, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { describeUnroll } from '../layout.js';
import type { UnrollOptions } from '../options.js';
import { unrollRegularizer } from '../regularize/unroll-hooks.js';
import { runDirection, type TargetAt } from './direction.js';
import { lastOutput, softmaxHead } from './head.js';

/**
 * Unroll `cell` over `steps` time steps (and `layers` stacked layers, optionally bidirectional)
 * into a plain `Graph`. Names and shapes are those of `describeUnroll(cell, options)`; they follow
 * PyTorch's `nn.RNN`/`nn.LSTM`/`nn.GRU` conventions (parameter names get `_l<k>` when
 * `layers > 1` and `_reverse` for the reverse direction; state `k·dirs + d` of `h0` belongs to
 * layer k, direction d). Errors inside a step name the cell, the layer and the step.
 * @example
 * const g = unroll(getBuiltinCell('lstm'), { input: 3, hidden: 4, batch: 2, steps: 5, dtype: 'float64' });
 * const { out, h_T, c_T } = interpret(g, feeds);
 * const bi = unroll(getBuiltinCell('gru'), { input: 3, hidden: 4, batch: 2, steps: 5, layers: 2, bidirectional: true });
 * // Variable lengths (feed lengths: [5, 2]) and x as [batch, steps, input]:
 * const packed = unroll(getBuiltinCell('gru'), { input: 3, hidden: 4, batch: 2, steps: 5, lengths: true, batchFirst: true });
 */
export function unroll(cell: Cell, options: UnrollOptions): Graph {
  const layout = describeUnroll(cell, options, 'unroll');
  const { steps, batch, layers, dtype, pattern, batchFirst, maskMode } = layout.options;
  const timeAxis = batchFirst ? 1 : 0;
  const dirs = layout.directions;
  const b = new GraphBuilder(dtype);
  const declared = new Map<string, Tensor>();
  for (const spec of layout.inputs) declared.set(spec.name, b.input(spec.name, spec.shape, dtype));
  const x = declared.get('x')!;
  const stateNames = Object.keys(layout.stateShapes);
  const finals: Record<string, Tensor[]> = Object.fromEntries(stateNames.map((s) => [s, []]));

  const reg = unrollRegularizer(cell, {
    ...layout.options, states: stateNames, params: Object.keys(cell.paramShapes(layout.layerSizes[0]!)),
    ...(declared.has('key') ? { key: declared.get('key')! } : {}),
  });
  let below: Tensor[] = Array.from({ length: steps }, (_, t) => b.scoped({ cell: cell.name, step: t, layer: 0 }, () => x.index(timeAxis, t)));
  // Step t is real for sequence b when t < lengths[b]; compared with t + 0.5 so that the mask of
  // integer lengths does not change under a small perturbation (finite differences).
  const lengths = declared.get('lengths');
  const column = lengths && b.scoped({ cell: cell.name }, () => lengths.reshape([batch, 1]));
  const masks = new Map<number, Tensor>();
  const maskAt = column && ((t: number): Tensor => {
    if (!masks.has(t)) masks.set(t, b.scoped({ cell: cell.name, step: t }, () => column.greater(t + 0.5)));
    return masks.get(t)!;
  });
  let top: Tensor[][] = [];
  let lasts: Tensor[] = [];
  for (let k = 0; k < layers; k++) {
    const perDir = cell.outputSize(layout.layerSizes[k]!);
    top = [];
    lasts = [];
    const layerIn = reg ? reg.layerInputs(k, below) : below;
    for (let d = 0; d < dirs; d++) {
      const params: Record<string, Tensor> = {};
      for (const spec of layout.inputs) {
        if (spec.role === 'param' && spec.layer === k && spec.direction === d) params[spec.param!] = declared.get(spec.name)!;
      }
      const initial = b.scoped({ cell: cell.name, layer: k }, () => Object.fromEntries(stateNames.map((s) => [s, declared.get(`${s}0`)!.index(0, k * dirs + d)])));
      const targets = declared.get('targets');
      const targetAt: TargetAt | undefined = targets && k === layers - 1
        ? (t) => b.scoped({ cell: cell.name, step: t, layer: k }, () => targets.index(timeAxis, t).slice(-1, d * perDir, (d + 1) * perDir))
        : undefined;
      const r = runDirection(cell, {
        builder: b, layer: k, layers, direction: d as 0 | 1, batch, stateShapes: layout.stateShapes,
        outputSize: perDir, inputs: layerIn, initial, params, ...(targetAt ? { targetAt } : {}),
        ...(maskAt ? { maskAt, maskMode } : {}), ...(reg ? { hooks: reg.stepHooks(k, d) } : {}),
      });
      for (const s of stateNames) finals[s]!.push(r.finals[s]!);
      top.push(reg ? reg.layerOutputs(k, d, r.outputs) : [...r.outputs]);
      lasts.push(r.last);
    }
    below = dirs === 1 ? top[0]! : top[0]!.map((fwd, t) => concat([fwd, top[1]![t]!], -1));
  }
  const result: [string, Tensor][] = [];
  if (pattern === 'seq2one') {
    const summary = b.scoped({ cell: cell.name }, () => lastOutput(top, lasts[0]));
    const head = softmaxHead(summary, declared.get('head_weight')!, declared.get('head_bias')!);
    result.push(['logits', head.logits], ['probs', head.probs]);
  } else result.push(['out', stack(below, timeAxis)]);
  for (const s of stateNames) result.push([`${s}_T`, stack(finals[s]!, 0)]);
  return b.build(result);
}
