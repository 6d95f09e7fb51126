/**
 * `unroll`: calls a cell's step once per time step, per stacked layer and per direction inside one
 * trace (`layerLoop`, the time loop training shares) and returns the graph. Inputs: `x` [steps, batch, input] ([batch, steps, input] batch-first),
 * `lengths` [batch] (variable-length batches), `<state>0` [layers·dirs, batch, ...], `targets`
 * (teacher forcing), the parameters, the head (seq2one); outputs: `out` [steps, batch, outputs] (or
 * `logits`, `probs`), then `<state>_T` [layers·dirs, batch, ...]. Parameters are single input nodes
 * shared by every step, so hash-consing keeps one node per derived value (such as `W.T`).
 */
import { CellgradError, GraphBuilder, stack, type Graph, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { describeUnroll } from '../layout.js';
import type { UnrollOptions } from '../options.js';
import type { TargetAt } from './direction.js';
import { softmaxHead } from './head.js';
import { layerLoop } from './layers.js';
import { timeForm, timeParallelLayers, type TimeForm } from '../recurrence/scan-unroll.js';
import { loopBodies, loopLayers, LOOP_MIN_STEPS } from './loop-layer.js';

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
  const { steps, pattern, batchFirst } = layout.options;
  const timeAxis = batchFirst ? 1 : 0;
  const b = new GraphBuilder(layout.options.dtype);
  const declared = new Map<string, Tensor>();
  for (const spec of layout.inputs) declared.set(spec.name, b.input(spec.name, spec.shape, layout.options.dtype));
  const x = declared.get('x')!;
  const mode = layout.options.loop;
  if (mode === 'always') return unrollAsLoops(cell, b, layout, declared);
  const form = timeForm(cell, layout);
  if (layout.options.scan === 'always' && form.kind !== 'scan')
    throw new CellgradError('usage', `unroll(cell '${cell.name}'): scan 'always', but the unroll cannot run as scans: ${form.refusal}`);
  if (layout.options.scanForm === 'log' && form.kind !== 'scan')
    throw new CellgradError('usage', `unroll(cell '${cell.name}'): scanForm 'log', but the unroll cannot run as scans: ${form.refusal}`);
  if (form.kind === 'scan') return unrollTimeParallel(cell, b, layout, declared, form);
  // Long sequences of a cell that is not linear as loops (the graph does not grow with T).
  if (mode === 'auto' && steps >= LOOP_MIN_STEPS) {
    const loops = loopBodies(cell, layout);
    if (loops.bodies) return unrollAsLoops(cell, b, layout, declared, loops.bodies);
  }
  if (form.kind === 'hoist') return unrollTimeParallel(cell, b, layout, declared, form);
  const traced = form.traced;
  const inputs = Array.from({ length: steps }, (_, t) => b.scoped({ cell: cell.name, step: t, layer: 0 }, () => x.index(timeAxis, t)));
  const targets = declared.get('targets');
  const top = cell.outputSize(layout.layerSizes[layout.options.layers - 1]!);
  const targetAt =
    targets &&
    ((d: number): TargetAt =>
      (t) =>
        b.scoped({ cell: cell.name, step: t, layer: layout.options.layers - 1 }, () => targets.index(timeAxis, t).slice(-1, d * top, (d + 1) * top)));
  const loop = layerLoop(cell, { builder: b, layout, declared, inputs, ...(targetAt ? { targetAt } : {}), ...(traced ? { firstStep: traced } : {}) });
  const result: [string, Tensor][] = [];
  if (pattern === 'seq2one') {
    const head = softmaxHead(loop.summary(), declared.get('head_weight')!, declared.get('head_bias')!);
    result.push(['logits', head.logits], ['probs', head.probs]);
  } else result.push(['out', stack([...loop.outputs], timeAxis)]);
  for (const s of Object.keys(layout.stateShapes)) result.push([`${s}_T`, stack([...loop.finals[s]!], 0)]);
  return b.build(result);
}

/**
 * `unroll` of a linear cell: each layer as scans, the same inputs and outputs as the step loop; of a
 * cell that is not linear (`form` `'hoist'`): each layer a step loop whose time-parallel work is
 * computed once before it (`hoistedLayer`).
 */
function unrollTimeParallel(cell: Cell, b: GraphBuilder, layout: ReturnType<typeof describeUnroll>, declared: Map<string, Tensor>, form: TimeForm): Graph {
  const { batchFirst, pattern } = layout.options;
  const x = declared.get('x')!;
  const timeMajor = batchFirst ? b.scoped({ cell: cell.name }, () => x.transpose([1, 0, 2])) : x;
  const { output, finals } = timeParallelLayers(cell, { builder: b, layout, declared, input: timeMajor, form });
  const result: [string, Tensor][] = [];
  b.scoped({ cell: cell.name }, () => {
    if (pattern === 'seq2one') {
      const head = softmaxHead(output.index(0, output.shape[0]! - 1), declared.get('head_weight')!, declared.get('head_bias')!);
      result.push(['logits', head.logits], ['probs', head.probs]);
    } else result.push(['out', batchFirst ? output.transpose([1, 0, 2]) : output]);
    for (const s of Object.keys(layout.stateShapes)) result.push([`${s}_T`, stack([...finals[s]!], 0)]);
  });
  return b.build(result);
}

/**
 * `unroll` with each layer and direction one `loop` node (`loopLayers`): the same inputs, outputs,
 * values and gradients as the step loop. Without `bodies` they are traced here, and an unroll that
 * cannot run as loops is a usage error saying why.
 */
function unrollAsLoops(
  cell: Cell,
  b: GraphBuilder,
  layout: ReturnType<typeof describeUnroll>,
  declared: Map<string, Tensor>,
  bodies?: readonly Graph[],
): Graph {
  const { batchFirst, pattern } = layout.options;
  let traced = bodies;
  if (!traced) {
    const r = loopBodies(cell, layout);
    if (!r.bodies) throw new CellgradError('usage', `unroll(cell '${cell.name}'): loop 'always', but the unroll cannot run as loops: ${r.refusal}`);
    traced = r.bodies;
  }
  const x = declared.get('x')!;
  const timeMajor = batchFirst ? b.scoped({ cell: cell.name }, () => x.transpose([1, 0, 2])) : x;
  const { output, finals, summary } = loopLayers(cell, b, layout, declared, timeMajor, traced);
  const result: [string, Tensor][] = [];
  b.scoped({ cell: cell.name }, () => {
    if (pattern === 'seq2one') {
      const head = softmaxHead(summary, declared.get('head_weight')!, declared.get('head_bias')!);
      result.push(['logits', head.logits], ['probs', head.probs]);
    } else result.push(['out', batchFirst ? output.transpose([1, 0, 2]) : output]);
    for (const s of Object.keys(layout.stateShapes)) result.push([`${s}_T`, stack([...finals[s]!], 0)]);
  });
  return b.build(result);
}
