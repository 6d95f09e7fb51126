/**
 * The loop form of `unroll`: each layer and direction is one `loop` node whose body is the cell's
 * step traced once (`stepBody`), so the graph, its gradient and its compiled plan hold the step
 * once whatever the number of steps. Variable-length batches work as in the step loop: the body
 * takes the step's mask (1 on real steps) as a sequence and holds the states on padding, so one
 * graph built for `steps` serves every length up to it. `loopBodies` says when an unroll cannot
 * take this form: teacher forcing, regularisers, or a step whose graph depends on the time index.
 */
import { concat, GraphBuilder, loop, type Graph, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import type { UnrollLayout } from '../layout.js';
import { anyRegularizer } from '../regularize/options.js';
import { runStep } from '../step.js';

/**
 * The fewest steps at which `loop: 'auto'` runs an unroll as loops. Below it the unrolled graph is
 * cheap to build (~4 ms per step for an LSTM training graph, so under a second) and its compiled
 * plan runs each step without copying carries between arenas; above it the build and compile time
 * of the unrolled graph, which grow with T, dominate.
 */
export const LOOP_MIN_STEPS = 256;

/** The name of the body output holding state `s`'s next value. */
const next = (s: string): string => `${s}_next`;

/**
 * The step of layer `k`, direction `d` as a loop body: inputs the states (and, with `lengths`, the
 * output carried over padding), the layer's input `x` (and the step's `mask`), the parameters by
 * their own names; outputs the next states (and carried output), then the step's output `y`.
 * Traced at time index `t` (only error messages and `ctx.step` see it); nodes keep their cell and layer scope.
 */
function stepBody(cell: Cell, layout: UnrollLayout, k: number, t: number): Graph {
  const { batch, dtype, layers, lengths, maskMode } = layout.options;
  const sizes = layout.layerSizes[k]!;
  const outputSize = cell.outputSize(sizes);
  const b = new GraphBuilder(dtype);
  const states: Record<string, Tensor> = {};
  for (const [s, shape] of Object.entries(layout.stateShapes)) states[s] = b.input(s, [batch, ...shape]);
  const carried = lengths ? b.input('carried', [batch, outputSize]) : undefined;
  const x = b.input('x', [batch, sizes.input]);
  const mask = lengths ? b.input('mask', [batch, 1]) : undefined;
  const params: Record<string, Tensor> = {};
  for (const [p, shape] of Object.entries(cell.paramShapes(sizes))) params[p] = b.input(p, shape);
  const ctx = { builder: b, step: t, layer: k, layers, batch, stateShapes: layout.stateShapes, outputSize };
  const r = runStep(cell, ctx, { x, ...states }, params);
  const out: [string, Tensor][] = [];
  b.scoped({ cell: cell.name, layer: k }, () => {
    for (const s of Object.keys(states)) out.push([next(s), mask ? mask.where(r.states[s]!, states[s]!) : r.states[s]!]);
    if (mask) {
      const held = mask.where(r.output, carried!);
      out.push(['carried_next', held], ['y', maskMode === 'carry' ? held : mask.where(r.output, 0)]);
    } else out.push(['y', r.output]);
  });
  const g = b.build(out);
  return { ...g, nodes: g.nodes.map((n) => (n.scope ? { ...n, scope: { cell: cell.name, layer: k } } : n)) };
}

/** A body's structure without scopes, to compare two traces. */
const structure = (g: Graph): string => JSON.stringify(g.nodes.map((n) => [n.op, n.inputs, n.attrs, n.shape]));

/** The loop bodies of every layer, or why the unroll cannot run as loops. */
export function loopBodies(cell: Cell, layout: UnrollLayout): { readonly bodies?: readonly Graph[]; readonly refusal?: string } {
  const o = layout.options;
  if (o.teacherForcing) return { refusal: 'teacher forcing runs step by step' };
  if (anyRegularizer(o.regularize)) return { refusal: 'regularisers run step by step' };
  const bodies: Graph[] = [];
  for (let k = 0; k < o.layers; k++) {
    const body = stepBody(cell, layout, k, 0);
    if (o.steps > 1 && structure(stepBody(cell, layout, k, 1)) !== structure(body))
      return { refusal: `the step of cell '${cell.name}' builds a different graph at each time step (it reads the time index)` };
    bodies.push(body);
  }
  return { bodies };
}

/** What `loopLayers` built: the top layer's output over time, every final state, the seq2one summary. */
export interface LoopLayersResult {
  /** `[steps, batch, outputs]` (time-major). */
  readonly output: Tensor;
  /** Per state, one final value per layer·direction. */
  readonly finals: Readonly<Record<string, readonly Tensor[]>>;
  /** The forward direction's last output (each sequence's own last real step with `lengths`), with the reverse direction's output at time 0. */
  readonly summary: Tensor;
}

/**
 * Every layer and direction of the unroll as one `loop` node each, on the time-major input `x`
 * whose first step is time index `start` (a training window; the masks of `lengths` use time indices).
 */
export function loopLayers(
  cell: Cell,
  b: GraphBuilder,
  layout: UnrollLayout,
  declared: ReadonlyMap<string, Tensor>,
  x: Tensor,
  bodies: readonly Graph[],
  start = 0,
): LoopLayersResult {
  const { batch, layers, steps, dtype } = layout.options;
  const dirs = layout.directions;
  const stateNames = Object.keys(layout.stateShapes);
  const finals: Record<string, Tensor[]> = Object.fromEntries(stateNames.map((s) => [s, []]));
  const lengths = declared.get('lengths');
  return b.scoped({ cell: cell.name }, () => {
    // mask[t, b] = 1 where t < lengths[b], compared with t + 0.5 as the step loop does.
    const times = b.constant(
      Array.from({ length: steps }, (_, t) => start + t + 0.5),
      [steps, 1, 1],
      dtype,
    );
    const masks = lengths?.reshape([1, batch, 1]).greater(times);
    let below = x;
    let summary: Tensor[] = [];
    for (let k = 0; k < layers; k++) {
      const outs: Tensor[] = [];
      summary = [];
      for (let d = 0; d < dirs; d++) {
        const params: Tensor[] = [];
        for (const spec of layout.inputs) if (spec.role === 'param' && spec.layer === k && spec.direction === d) params.push(declared.get(spec.name)!);
        const initial = stateNames.map((s) => declared.get(`${s}0`)!.index(0, k * dirs + d));
        const outputSize = cell.outputSize(layout.layerSizes[k]!);
        const carries = masks ? [...initial, b.fill(0, [batch, outputSize], dtype)] : initial;
        const r = b.scoped({ layer: k }, () =>
          loop({ body: bodies[k]!, carries, sequences: masks ? [below, masks] : [below], invariants: params, reverse: d === 1, save: true }),
        );
        stateNames.forEach((s, i) => finals[s]!.push(r.finals[i]!));
        const y = r.outputs[0]!;
        outs.push(y);
        summary.push(d === 1 ? y.index(0, 0) : masks ? r.finals[stateNames.length]! : y.index(0, steps - 1));
      }
      below = dirs === 1 ? outs[0]! : concat(outs, -1);
    }
    return { output: below, finals, summary: dirs === 1 ? summary[0]! : concat(summary, -1) };
  });
}
