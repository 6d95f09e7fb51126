/**
 * The scan form of `unroll`: when every state of the cell is a linear recurrence, each layer is
 * `scanLayer` (time-parallel work over all T·B rows, one `linear_scan` per state, the readout over
 * all rows) instead of T copies of the step. `scanRefusal` says why an unroll cannot take this
 * form (an option the scan does not implement, or a state that is not linear). A cell that is not
 * linear still has its time-parallel work hoisted out of the step loop (`hoistedLayer`); `timeForm`
 * chooses, for `unroll` and for the training model's windows.
 */
import type { Graph, GraphBuilder, Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import type { UnrollLayout } from '../layout.js';
import { anyRegularizer } from '../regularize/options.js';
import type { TrainerHooks } from '../unroll/direction.js';
import { hoistedLayer, traceSteps } from './hoist-layer.js';
import { analyzedStep, scanLayer, whyNotScan } from './scan-layer.js';

/**
 * Why the options of `layout` keep every layer a plain step loop (no scan, no hoisting), or
 * undefined: a second direction, masked steps, teacher forcing or regularisers.
 */
export function optionRefusal(layout: UnrollLayout): string | undefined {
  const o = layout.options;
  if (o.bidirectional) return 'a bidirectional unroll runs step by step';
  if (o.lengths) return "'lengths' (masked steps) runs step by step";
  if (o.teacherForcing) return 'teacher forcing runs step by step';
  if (anyRegularizer(o.regularize)) return 'regularisers run step by step';
  return undefined;
}

/**
 * Whether `layout` can run as scans: `refusal` says why not (undefined when it can). `traced` is the
 * first layer's step as the analysis traced it (at the unroll's batch), for the step loop to replay
 * as its first step, so that the step still runs once per time step. A step that fails while being
 * traced is left to the step loop, which reports it.
 */
export function scanRefusal(cell: Cell, layout: UnrollLayout): { readonly refusal: string | undefined; readonly traced?: Graph } {
  const o = layout.options;
  const option = optionRefusal(layout);
  if (option) return { refusal: option };
  let traced: Graph | undefined;
  for (const sizes of new Set(layout.layerSizes.map((s) => JSON.stringify(s)))) {
    let step: ReturnType<typeof analyzedStep>;
    try {
      step = analyzedStep(cell, JSON.parse(sizes), o.batch, o.dtype);
    } catch (e) {
      return { refusal: `tracing the step failed (${(e as Error).message})`, ...(traced ? { traced } : {}) };
    }
    traced ??= step.graph;
    const why = whyNotScan(step.graph, step.analysis, o.batch);
    if (why) return { refusal: why, traced };
  }
  return { refusal: undefined };
}

/** How the layers of an unroll or a training window are built (`timeForm`). */
export type TimeForm =
  /** Every state a linear recurrence: each layer as scans (`scanLayer`). */
  | { readonly kind: 'scan' }
  /** Step by step with the time-parallel work hoisted (`hoistedLayer`); `refusal` says why not scans, `traced` is layer 0's first step. */
  | { readonly kind: 'hoist'; readonly refusal: string; readonly traced?: Graph }
  /** The plain step loop (`layerLoop`); `refusal` says why not scans, `traced` is layer 0's first step. */
  | { readonly kind: 'loop'; readonly refusal: string; readonly traced?: Graph };

/**
 * Which form the layers of `layout` take: scans when the cell is linear (`scanRefusal`) and
 * `steppedHooks` is false (Graves clipping and gradient taps act between steps, so they need the
 * steps); else the hoisted step loop with `hoist: 'auto'`; else the plain loop. `scan: 'never'`
 * and the options neither form implements (`optionRefusal`) give the plain loop.
 */
export function timeForm(cell: Cell, layout: UnrollLayout, steppedHooks = false): TimeForm {
  const o = layout.options;
  if (o.scan === 'never') return { kind: 'loop', refusal: "scan 'never'" };
  const option = optionRefusal(layout);
  if (option) return { kind: 'loop', refusal: option };
  const { refusal, traced } = scanRefusal(cell, layout);
  if (refusal === undefined && !steppedHooks) return { kind: 'scan' };
  const why = refusal ?? 'Graves clipping and gradient taps act between steps';
  if (o.hoist === 'auto' && (refusal === undefined || !refusal.startsWith('tracing the step failed')))
    return { kind: 'hoist', refusal: why, ...(traced ? { traced } : {}) };
  return { kind: 'loop', refusal: why, ...(traced ? { traced } : {}) };
}

/** What `timeParallelLayers` needs beyond the layout. */
export interface TimeParallelArgs {
  readonly builder: GraphBuilder;
  readonly layout: UnrollLayout;
  /** The graph inputs by name (`describeUnroll`'s): the parameters and `<state>0` [layers, B, ...]. */
  readonly declared: ReadonlyMap<string, Tensor>;
  /** The first layer's input over the window, [T, B, input] (time-major). */
  readonly input: Tensor;
  /** `'scan'` or `'hoist'` (`timeForm`). */
  readonly form: TimeForm;
  /** Time index of the first step (default 0). */
  readonly start?: number;
  /** The trainer's hooks of layer k (hoisted form only). */
  readonly trainer?: (layer: number) => TrainerHooks | undefined;
}

/**
 * Every layer as scans, or as hoisted step loops (`hoistedLayer`); the top layer's outputs
 * [T, B, outputs] and the finals per state (index = layer).
 */
export function timeParallelLayers(cell: Cell, a: TimeParallelArgs): { output: Tensor; finals: Record<string, Tensor[]> } {
  const { builder: b, layout, declared, form } = a;
  const names = Object.keys(layout.stateShapes);
  const finals: Record<string, Tensor[]> = Object.fromEntries(names.map((s) => [s, []]));
  let x = a.input;
  const L = layout.options.layers;
  const [T, B] = a.input.shape as [number, number];
  // Hoisted: every layer's step at every time step first, in the plain loop's order (layer by
  // layer), so a step fails at the call the plain loop would fail at; the T·B traces come after.
  const traces =
    form.kind === 'hoist'
      ? layout.layerSizes.map((sizes, k) =>
          traceSteps(
            cell,
            sizes,
            { steps: T, batch: B, dtype: layout.options.dtype, layer: k, layers: L, ...(a.start ? { start: a.start } : {}) },
            k === 0 ? form.traced : undefined,
          ),
        )
      : [];
  for (let k = 0; k < L; k++) {
    const params: Record<string, Tensor> = {};
    for (const spec of layout.inputs) if (spec.role === 'param' && spec.layer === k) params[spec.param!] = declared.get(spec.name)!;
    const initial = b.scoped({ cell: cell.name, layer: k }, () => Object.fromEntries(names.map((s) => [s, declared.get(`${s}0`)!.index(0, k)])));
    const args = { builder: b, sizes: layout.layerSizes[k]!, dtype: layout.options.dtype, input: x, initial, params, layer: k, form: layout.options.scanForm };
    let r: { output: Tensor; finals: Record<string, Tensor> };
    if (form.kind === 'scan') r = scanLayer(cell, args);
    else {
      const trainer = a.trainer?.(k);
      r = hoistedLayer(cell, { ...args, layers: L, traces: traces[k]!, ...(a.start ? { start: a.start } : {}), ...(trainer ? { trainer } : {}) });
    }
    for (const s of names) finals[s]!.push(r.finals[s]!);
    x = r.output;
  }
  return { output: x, finals };
}
