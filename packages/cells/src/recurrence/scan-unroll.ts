/**
 * The scan form of `unroll`: when every state of the cell is a linear recurrence, each layer is
 * `scanLayer` (time-parallel work over all T·B rows, one `linear_scan` per state, the readout over
 * all rows) instead of T copies of the step. `scanRefusal` says why an unroll cannot take this
 * form (an option the scan does not implement, or a state that is not linear).
 */
import type { GraphBuilder, Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import type { UnrollLayout } from '../layout.js';
import { anyRegularizer } from '../regularize/options.js';
import { analyzedStep, scanLayer, whyNotScan } from './scan-layer.js';

/** Why `layout` cannot run as scans, or undefined when it can. Tracing errors are left to the step loop (which reports them). */
export function scanRefusal(cell: Cell, layout: UnrollLayout): string | undefined {
  const o = layout.options;
  if (o.bidirectional) return 'a bidirectional unroll runs step by step';
  if (o.lengths) return "'lengths' (masked steps) runs step by step";
  if (o.teacherForcing) return 'teacher forcing runs step by step';
  if (anyRegularizer(o.regularize)) return 'regularisers run step by step';
  for (const sizes of new Set(layout.layerSizes.map((s) => JSON.stringify(s)))) {
    let why: string | undefined;
    try {
      why = whyNotScan(analyzedStep(cell, JSON.parse(sizes), o.batch, o.dtype).analysis);
    } catch (e) {
      return `tracing the step failed (${(e as Error).message})`;
    }
    if (why) return why;
  }
  return undefined;
}

/** Every layer as scans; the top layer's outputs [T, B, outputs] and the finals per state (index = layer). */
export function scanLayers(
  cell: Cell,
  b: GraphBuilder,
  layout: UnrollLayout,
  declared: ReadonlyMap<string, Tensor>,
  input: Tensor,
): { output: Tensor; finals: Record<string, Tensor[]> } {
  const names = Object.keys(layout.stateShapes);
  const finals: Record<string, Tensor[]> = Object.fromEntries(names.map((s) => [s, []]));
  let x = input;
  for (let k = 0; k < layout.options.layers; k++) {
    const params: Record<string, Tensor> = {};
    for (const spec of layout.inputs) if (spec.role === 'param' && spec.layer === k) params[spec.param!] = declared.get(spec.name)!;
    const initial = b.scoped({ cell: cell.name, layer: k }, () => Object.fromEntries(names.map((s) => [s, declared.get(`${s}0`)!.index(0, k)])));
    const r = scanLayer(cell, { builder: b, sizes: layout.layerSizes[k]!, dtype: layout.options.dtype, input: x, initial, params, layer: k });
    for (const s of names) finals[s]!.push(r.finals[s]!);
    x = r.output;
  }
  return { output: x, finals };
}
