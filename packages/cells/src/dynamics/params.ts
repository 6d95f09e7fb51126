/**
 * The parameters a dynamics analysis runs with: named arrays (as `initParams` and checkpoints name
 * them), checked against the cell's parameter shapes at the analysed sizes so that a mismatch is one
 * clear error naming the parameter and both sizes. Names the map does not read (a readout's
 * `head_weight`, `head_bias`) are ignored.
 */
import { CellgradError, sizeOf, type NDArray } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { describeUnroll } from '../layout.js';
import type { DynamicsSizes } from './state-map.js';

/** Parameter values by name: arrays (flattened row-major) or NDArrays. */
export type DynamicsParams = Readonly<Record<string, NDArray | ArrayLike<number>>>;

/** `params` as float64 NDArrays of the shapes `cell` has at `sizes`; a usage error naming the first that does not fit. */
export function checkDynamicsParams(cell: Cell, sizes: DynamicsSizes, params: DynamicsParams, where: string): Record<string, NDArray> {
  const layout = describeUnroll(cell, { input: sizes.input, hidden: sizes.hidden, batch: 1, steps: 1, layers: sizes.layers ?? 1 });
  const sizeText = `input ${sizes.input}, hidden ${sizes.hidden}${(sizes.layers ?? 1) > 1 ? `, layers ${sizes.layers}` : ''}`;
  const out: Record<string, NDArray> = {};
  for (const spec of layout.inputs) {
    if (spec.role !== 'param') continue;
    const value = params[spec.name];
    if (value === undefined) {
      throw new CellgradError(
        'usage',
        `${where}: parameter '${spec.name}' of cell '${cell.name}' is missing (given: ${Object.keys(params).join(', ') || 'none'})`,
      );
    }
    const data = 'data' in value && 'shape' in value ? (value as NDArray).data : (value as ArrayLike<number>);
    if (data.length !== sizeOf(spec.shape)) {
      throw new CellgradError(
        'usage',
        `${where}: parameter '${spec.name}' has ${data.length} values, but cell '${cell.name}' at ${sizeText} needs ${sizeOf(spec.shape)} ` +
          `(shape [${spec.shape.join(',')}]); the sizes do not match the parameters`,
      );
    }
    const copy = Float64Array.from(data as ArrayLike<number>);
    const bad = copy.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new CellgradError('nonfinite', `${where}: parameter '${spec.name}' has a non-finite value at index ${bad}`);
    out[spec.name] = { shape: [...spec.shape], data: copy };
  }
  return out;
}
