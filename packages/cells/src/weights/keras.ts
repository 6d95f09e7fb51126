/**
 * Weights in Keras's layout (also TensorFlow.js's): per layer `kernel` [in, G·U] and
 * `recurrent_kernel` [U, G·U] (used as x·W, so the transposes of PyTorch's), gate columns in
 * Keras's order ([i, f, c, o] for LSTMs, [z, r, h] for GRUs), and `bias`: [G·U] (the sum of
 * PyTorch's two biases), or (2, 3U) = [input bias; recurrent bias] for a reset_after GRU. Names are
 * prefixed `l<k>/` when there are several layers and `forward/` / `backward/` when bidirectional
 * (Keras's `Bidirectional` wrapper). Loading gives the PyTorch-style cell bias_ih = Keras bias,
 * bias_hh = 0, so Keras → cellgrad → Keras is exact.
 */
import { CellgradError, type NDArray, type Shape } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { weightFamily, type WeightFamily } from './family.js';
import { addArrays, fromKerasMatrix, inverse, permuteBlocks, tensor, TensorReader, toKerasMatrix, type TensorDict } from './tensors.js';
import { walkLayers, type LayerDirection, type WeightOptions } from './walk.js';

/** Keras block j comes from cellgrad block perm[j]. */
function permOf(f: WeightFamily): number[] {
  return f.kind === 'gru' ? [1, 0, 2] : Array.from({ length: f.gates }, (_, i) => i);
}

function familyOf(cell: Cell, fn: string): WeightFamily {
  const f = weightFamily(cell);
  if (!f) throw new CellgradError('usage', `${fn}: cell '${cell.name}' has no Keras counterpart (Keras layouts exist for the Elman, LSTM and GRU cells)`);
  if (f.extra && f.extra.length > 0)
    throw new CellgradError('usage', `${fn}: cell '${cell.name}' has parameter(s) ${f.extra.join(', ')}, for which Keras's layout has no place`);
  return f;
}

function prefix(ld: LayerDirection, options: WeightOptions): string {
  return `${(options.layers ?? 1) > 1 ? `l${ld.layer}/` : ''}${options.bidirectional ? (ld.reverse ? 'backward/' : 'forward/') : ''}`;
}

/** The Keras bias shape of one layer, or undefined when the cell has no bias. */
function biasShape(f: WeightFamily, H: number): Shape | undefined {
  if (f.bias === 'none') return undefined;
  return f.kind === 'gru' && f.resetAfter ? [2, f.gates * H] : [f.gates * H];
}

/**
 * cellgrad parameters → Keras weights (see the file comment for names and layout).
 * @example
 * const k = toKeras(gru, params, { input: 3, hidden: 4 }); // kernel [3,12], recurrent_kernel [4,12], bias [2,12]
 */
export function toKeras(cell: Cell, params: TensorDict, options: WeightOptions): Record<string, NDArray> {
  const f = familyOf(cell, 'toKeras');
  const perm = permOf(f);
  const reader = new TensorReader(params, `toKeras(cell '${cell.name}')`);
  const out: Record<string, NDArray> = {};
  for (const ld of walkLayers(cell, options, 'toKeras')) {
    const pre = prefix(ld, options);
    const take = (p: string) => reader.take(ld.ours(p), ld.shapes[p]!);
    out[`${pre}kernel`] = toKerasMatrix(take('weight_ih'), perm);
    out[`${pre}recurrent_kernel`] = toKerasMatrix(take('weight_hh'), perm);
    const shape = biasShape(f, ld.sizes.hidden);
    if (!shape) continue;
    if (f.bias === 'one') out[`${pre}bias`] = tensor(shape, permuteBlocks(take('bias').data, perm));
    else {
      const [bi, bh] = [take('bias_ih').data, take('bias_hh').data];
      const data = shape.length === 2 ? [...permuteBlocks(bi, perm), ...permuteBlocks(bh, perm)] : permuteBlocks(addArrays(bi, bh), perm);
      out[`${pre}bias`] = tensor(shape, data);
    }
  }
  reader.finish();
  return out;
}

/**
 * Keras weights → cellgrad parameters. A missing or misshapen tensor is an error naming it, the
 * expected shape and the shape found.
 * @example
 * const params = fromKeras(lstm, { kernel, recurrent_kernel, bias }, { input: 3, hidden: 4 });
 */
export function fromKeras(cell: Cell, weights: TensorDict, options: WeightOptions): Record<string, NDArray> {
  const f = familyOf(cell, 'fromKeras');
  const inv = inverse(permOf(f));
  const perm = permOf(f);
  const reader = new TensorReader(weights, `fromKeras(cell '${cell.name}')`);
  const out: Record<string, NDArray> = {};
  for (const ld of walkLayers(cell, options, 'fromKeras')) {
    const pre = prefix(ld, options);
    const [G, I, H] = [f.gates, ld.sizes.input, ld.sizes.hidden];
    out[ld.ours('weight_ih')] = fromKerasMatrix(reader.take(`${pre}kernel`, [I, G * H]), perm);
    out[ld.ours('weight_hh')] = fromKerasMatrix(reader.take(`${pre}recurrent_kernel`, [H, G * H]), perm);
    const shape = biasShape(f, H);
    if (!shape) continue;
    const b = reader.take(`${pre}bias`, shape).data;
    if (f.bias === 'one') out[ld.ours('bias')] = tensor([G * H], permuteBlocks(b, inv));
    else if (shape.length === 2) {
      out[ld.ours('bias_ih')] = tensor([G * H], permuteBlocks(b.slice(0, G * H), inv));
      out[ld.ours('bias_hh')] = tensor([G * H], permuteBlocks(b.slice(G * H), inv));
    } else {
      out[ld.ours('bias_ih')] = tensor([G * H], permuteBlocks(b, inv));
      out[ld.ours('bias_hh')] = tensor([G * H], new Float64Array(G * H));
    }
  }
  reader.finish();
  return out;
}
