/**
 * Weights in PyTorch's layout: `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, …,
 * `_l<k>` for every layer and `_reverse` for the reverse direction, gate rows as the cell stores
 * them ([i, f, g, o] for LSTMs, [r, z, n] for GRUs), i.e. `nn.LSTM(...).state_dict()`. A cell with
 * a single `bias` is saved as `bias_ih` = bias, `bias_hh` = 0 and loaded as their sum; other
 * parameters (peepholes, Jordan's weights) keep their names with the same suffixes.
 */
import type { NDArray } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { addArrays, tensor, TensorReader, type TensorDict } from './tensors.js';
import { walkLayers, type WeightOptions } from './walk.js';

const suffix = (layer: number, reverse: boolean) => `_l${layer}${reverse ? '_reverse' : ''}`;
/** True when the cell's single bias is saved as PyTorch's pair. */
const singleBias = (shapes: Readonly<Record<string, unknown>>) => 'bias' in shapes && !('bias_ih' in shapes) && !('bias_hh' in shapes);

/**
 * cellgrad parameters (as `initParams` and `unroll` name them) → a PyTorch state dict.
 * @example
 * const sd = toPyTorch(lstm, initParams(lstm, { input: 3, hidden: 4 }, { layers: 2 }), { input: 3, hidden: 4, layers: 2 });
 * sd.weight_hh_l1.shape // [16, 4]
 */
export function toPyTorch(cell: Cell, params: TensorDict, options: WeightOptions): Record<string, NDArray> {
  const reader = new TensorReader(params, `toPyTorch(cell '${cell.name}')`);
  const out: Record<string, NDArray> = {};
  for (const ld of walkLayers(cell, options, 'toPyTorch')) {
    const sfx = suffix(ld.layer, ld.reverse);
    for (const [p, shape] of Object.entries(ld.shapes)) {
      const t = reader.take(ld.ours(p), shape);
      if (p === 'bias' && singleBias(ld.shapes)) {
        out[`bias_ih${sfx}`] = tensor(shape, t.data);
        out[`bias_hh${sfx}`] = tensor(shape, new Float64Array(t.data.length));
      } else out[`${p}${sfx}`] = tensor(shape, t.data);
    }
  }
  reader.finish();
  return out;
}

/**
 * A PyTorch state dict → cellgrad parameters. Every tensor must be present with its shape: a
 * missing or misshapen tensor is an error naming it, the expected shape and the shape found.
 * @example
 * const params = fromPyTorch(gru, loadWeights('gru.json'), { input: 3, hidden: 4, bidirectional: true });
 */
export function fromPyTorch(cell: Cell, stateDict: TensorDict, options: WeightOptions): Record<string, NDArray> {
  const reader = new TensorReader(stateDict, `fromPyTorch(cell '${cell.name}')`);
  const out: Record<string, NDArray> = {};
  for (const ld of walkLayers(cell, options, 'fromPyTorch')) {
    const sfx = suffix(ld.layer, ld.reverse);
    for (const [p, shape] of Object.entries(ld.shapes)) {
      if (p === 'bias' && singleBias(ld.shapes)) {
        const sum = addArrays(reader.take(`bias_ih${sfx}`, shape).data, reader.take(`bias_hh${sfx}`, shape).data);
        out[ld.ours(p)] = tensor(shape, sum);
      } else out[ld.ours(p)] = tensor(shape, reader.take(`${p}${sfx}`, shape).data);
    }
  }
  reader.finish();
  return out;
}
