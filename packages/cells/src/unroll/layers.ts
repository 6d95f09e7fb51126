/**
 * The one time loop of cellgrad: stacked layers × directions of a cell over a window of steps,
 * with the regularisers, variable-length masks and teacher forcing. `unroll` calls it over the
 * whole sequence; the training model (`train/model.ts`) calls it over a window `[start, start + n)`
 * of a longer sequence, adding its own hooks around each step (Graves clipping, gradient taps).
 */
import { CellgradError, concat, type Graph, type GraphBuilder, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import type { UnrollLayout } from '../layout.js';
import { unrollRegularizer } from '../regularize/unroll-hooks.js';
import { directionStepper, runDirection, type DirectionArgs, type TargetAt, type TrainerHooks } from './direction.js';
import { lastOutput } from './head.js';

/** What `layerLoop` needs. */
export interface LayerLoopArgs {
  readonly builder: GraphBuilder;
  /** The layout of the network (`describeUnroll`), its `steps` the number of steps of this window. */
  readonly layout: UnrollLayout;
  /**
   * The graph inputs by name, as `describeUnroll` names them: the parameters, `<state>0`
   * `[layers·dirs, batch, ...]`, and when present `key`, `lengths` and `targets`.
   */
  readonly declared: ReadonlyMap<string, Tensor>;
  /** The first layer's input at each step of the window, `[batch, input]`. */
  readonly inputs: readonly Tensor[];
  /** Time index of the window's first step (default 0). Masks, regulariser streams and error messages use time indices. */
  readonly start?: number;
  /** When teacher forcing: the top layer's target of direction `d` at a time index. */
  readonly targetAt?: (direction: number) => TargetAt;
  /** The trainer's hooks of layer `layer`, direction `direction` (none by default). */
  readonly trainer?: (layer: number, direction: number) => TrainerHooks | undefined;
  /**
   * `'layer'` (default, `unroll`'s order): each layer over the whole window, then the next layer.
   * `'time'` (one direction only): every layer at step t, then step t + 1, with `onOutput` called
   * on the top layer's output as soon as it exists. The values are the same; the order of the
   * nodes is what makes a chain of windows sum each state's gradient contributions in the order
   * the whole unrolled sequence sums them (the later steps' first), so that checkpointed BPTT
   * equals full BPTT bit for bit.
   */
  readonly order?: 'layer' | 'time';
  /** With `order: 'time'`: called with the top layer's output at window index `i` right after its step. */
  readonly onOutput?: (output: Tensor, i: number) => void;
  /** Layer 0's first step in the forward direction, already traced (see `DirectionArgs.firstStep`). */
  readonly firstStep?: Graph;
}

/** What the loop built. */
export interface LayerLoopResult {
  /** The top layer's output at each step of the window (both directions concatenated), `[batch, outputs]`. */
  readonly outputs: readonly Tensor[];
  /** The final value of every state, one per layer·direction (index `k·dirs + d`). */
  readonly finals: Readonly<Record<string, readonly Tensor[]>>;
  /**
   * The sequence's summary: each direction's last output (the forward one at each sequence's own
   * last real step with `lengths`), concatenated; what a sequence-to-one head reads.
   */
  readonly summary: () => Tensor;
  /** With `lengths`: 1 where time index `t` is a real step of a sequence (`[batch, 1]`). */
  readonly maskAt?: (t: number) => Tensor;
}

/**
 * Run every layer and direction of `cell` over the window. Node order (and so the graph) is that
 * of `unroll` for a window starting at 0.
 */
export function layerLoop(cell: Cell, a: LayerLoopArgs): LayerLoopResult {
  const { builder: b, layout, declared } = a;
  const { batch, layers, maskMode } = layout.options;
  const start = a.start ?? 0;
  const dirs = layout.directions;
  const stateNames = Object.keys(layout.stateShapes);
  const finals: Record<string, Tensor[]> = Object.fromEntries(stateNames.map((s) => [s, []]));
  const reg = unrollRegularizer(cell, {
    ...layout.options,
    states: stateNames,
    params: Object.keys(cell.paramShapes(layout.layerSizes[0]!)),
    ...(declared.has('key') ? { key: declared.get('key')! } : {}),
  });
  // Step t is real for sequence b when t < lengths[b]; compared with t + 0.5 so that the mask of
  // integer lengths does not change under a small perturbation (finite differences).
  const lengths = declared.get('lengths');
  const column = lengths && b.scoped({ cell: cell.name }, () => lengths.reshape([batch, 1]));
  const masks = new Map<number, Tensor>();
  const maskAt =
    column &&
    ((t: number): Tensor => {
      if (!masks.has(t))
        masks.set(
          t,
          b.scoped({ cell: cell.name, step: t }, () => column.greater(t + 0.5)),
        );
      return masks.get(t)!;
    });
  // The arguments of direction d of layer k (building its initial states).
  const directionArgs = (k: number, d: number, inputs: readonly Tensor[]): DirectionArgs => {
    const params: Record<string, Tensor> = {};
    for (const spec of layout.inputs) {
      if (spec.role === 'param' && spec.layer === k && spec.direction === d) params[spec.param!] = declared.get(spec.name)!;
    }
    const initial = b.scoped({ cell: cell.name, layer: k }, () =>
      Object.fromEntries(stateNames.map((s) => [s, declared.get(`${s}0`)!.index(0, k * dirs + d)])),
    );
    const targetAt = a.targetAt && k === layers - 1 ? a.targetAt(d) : undefined;
    const trainer = a.trainer?.(k, d);
    return {
      builder: b,
      layer: k,
      layers,
      direction: d as 0 | 1,
      batch,
      stateShapes: layout.stateShapes,
      outputSize: cell.outputSize(layout.layerSizes[k]!),
      inputs,
      initial,
      params,
      ...(targetAt ? { targetAt } : {}),
      ...(maskAt ? { maskAt, maskMode } : {}),
      ...(reg ? { hooks: reg.stepHooks(k, d) } : {}),
      ...(start !== 0 ? { start } : {}),
      ...(trainer ? { trainer } : {}),
      ...(a.firstStep && k === 0 && d === 0 ? { firstStep: a.firstStep } : {}),
    };
  };
  let below: readonly Tensor[] = a.inputs;
  let top: Tensor[][] = [];
  let lasts: Tensor[] = [];
  if (a.order === 'time') {
    if (dirs !== 1) throw new CellgradError('usage', `layerLoop(cell '${cell.name}'): order 'time' runs one direction only`);
    const steppers = Array.from({ length: layers }, (_, k) => directionStepper(cell, directionArgs(k, 0, []), a.inputs.length));
    const outs: Tensor[] = [];
    a.inputs.forEach((x, i) => {
      let y = x;
      for (let k = 0; k < layers; k++) {
        const inK = reg ? reg.layerInputs(k, [y], start + i)[0]! : y;
        const { output } = steppers[k]!.step(i, inK);
        y = reg ? reg.layerOutputs(k, 0, [output], start + i)[0]! : output;
      }
      outs.push(y);
      a.onOutput?.(y, i);
    });
    const results = steppers.map((st) => st.result());
    for (const r of results) for (const s of stateNames) finals[s]!.push(r.finals[s]!);
    top = [outs];
    lasts = [results[layers - 1]!.last];
    below = outs;
  }
  for (let k = 0; k < layers && a.order !== 'time'; k++) {
    top = [];
    lasts = [];
    const layerIn = reg ? reg.layerInputs(k, below, start) : below;
    for (let d = 0; d < dirs; d++) {
      const r = runDirection(cell, directionArgs(k, d, layerIn));
      for (const s of stateNames) finals[s]!.push(r.finals[s]!);
      top.push(reg ? reg.layerOutputs(k, d, r.outputs, start) : [...r.outputs]);
      lasts.push(r.last);
    }
    below = dirs === 1 ? top[0]! : top[0]!.map((fwd, t) => concat([fwd, top[1]![t]!], -1));
  }
  const directions = top;
  const forwardLast = lasts[0];
  return {
    outputs: below,
    finals,
    summary: () => b.scoped({ cell: cell.name }, () => lastOutput(directions, forwardLast)),
    ...(maskAt ? { maskAt } : {}),
  };
}
