/**
 * The scan form of `unroll`: when every state of the cell is a linear recurrence, each layer is
 * `scanLayer` (time-parallel work over all T·B rows, one `linear_scan` per state, the readout over
 * all rows) instead of T copies of the step. `scanRefusal` says why an unroll cannot take this
 * form (an option the scan does not implement, or a state that is not linear). A cell that is not
 * linear still has its time-parallel work hoisted out of the step loop (`hoistPlans`, `hoistedLayer`).
 */
import type { Graph, GraphBuilder, Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import type { UnrollLayout } from '../layout.js';
import { anyRegularizer } from '../regularize/options.js';
import { hoistedLayer, hoistPlan, type HoistPlan } from './hoist-layer.js';
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
 * The hoisting plan of every layer (`hoistPlan`) when the options allow it and every layer has
 * time-parallel work to hoist; undefined otherwise (then the plain step loop runs). A step that
 * fails while being traced is left to the step loop, which reports it.
 */
export function hoistPlans(cell: Cell, layout: UnrollLayout): HoistPlan[] | undefined {
  if (optionRefusal(layout)) return undefined;
  const o = layout.options;
  const bySizes = new Map<string, HoistPlan | string>();
  try {
    for (const sizes of layout.layerSizes) {
      const key = JSON.stringify(sizes);
      if (!bySizes.has(key)) bySizes.set(key, hoistPlan(cell, sizes, o.steps, o.batch, o.dtype));
    }
  } catch {
    return undefined;
  }
  const plans = layout.layerSizes.map((s) => bySizes.get(JSON.stringify(s))!);
  return plans.every((p) => typeof p !== 'string') ? (plans as HoistPlan[]) : undefined;
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

/** Every layer as scans (or, given `hoisting`, as hoisted step loops: `hoistedLayer`); the top layer's outputs [T, B, outputs] and the finals per state (index = layer). */
export function scanLayers(
  cell: Cell,
  b: GraphBuilder,
  layout: UnrollLayout,
  declared: ReadonlyMap<string, Tensor>,
  input: Tensor,
  hoisting?: readonly HoistPlan[],
): { output: Tensor; finals: Record<string, Tensor[]> } {
  const names = Object.keys(layout.stateShapes);
  const finals: Record<string, Tensor[]> = Object.fromEntries(names.map((s) => [s, []]));
  let x = input;
  for (let k = 0; k < layout.options.layers; k++) {
    const params: Record<string, Tensor> = {};
    for (const spec of layout.inputs) if (spec.role === 'param' && spec.layer === k) params[spec.param!] = declared.get(spec.name)!;
    const initial = b.scoped({ cell: cell.name, layer: k }, () => Object.fromEntries(names.map((s) => [s, declared.get(`${s}0`)!.index(0, k)])));
    const args = { builder: b, sizes: layout.layerSizes[k]!, dtype: layout.options.dtype, input: x, initial, params, layer: k, form: layout.options.scanForm };
    const r = hoisting ? hoistedLayer(cell, hoisting[k]!, args) : scanLayer(cell, args);
    for (const s of names) finals[s]!.push(r.finals[s]!);
    x = r.output;
  }
  return { output: x, finals };
}
