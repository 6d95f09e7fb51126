/**
 * Gate reordering between PyTorch and ONNX recurrent weights (see NUMERICS.md). PyTorch stacks the
 * LSTM gate blocks as [i, f, g, o] and the GRU's as [r, z, n]; ONNX wants [i, o, f, c] and [z, r, h].
 * A permutation lists, for each ONNX block in order, the PyTorch block it comes from.
 */
import { fail } from '@cellgrad/graph';

/** ONNX LSTM [i, o, f, c] from PyTorch [i, f, g, o]. */
export const LSTM_TORCH_TO_ONNX: readonly number[] = [0, 3, 1, 2];
/** ONNX GRU [z, r, h] from PyTorch [r, z, n]. */
export const GRU_TORCH_TO_ONNX: readonly number[] = [1, 0, 2];

/**
 * Reorder the gate blocks of a row-major weight (`rows` = blocks × block rows, `cols` columns;
 * `cols` = 1 for a bias): block `k` of the result is block `order[k]` of `data`.
 */
export function reorderGates(data: ArrayLike<number>, order: readonly number[], cols: number): Float64Array {
  const blockSize = data.length / order.length;
  if (!Number.isInteger(blockSize) || blockSize % cols !== 0) {
    fail('shape', `reorderGates: ${data.length} values do not split into ${order.length} blocks of rows of ${cols}`);
  }
  const out = new Float64Array(data.length);
  order.forEach((from, k) => {
    for (let j = 0; j < blockSize; j++) out[k * blockSize + j] = data[from * blockSize + j]!;
  });
  return out;
}
