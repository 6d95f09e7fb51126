/**
 * `exportRecurrentOp`: a PyTorch LSTM or GRU (cellgrad's built-in `lstm` / `gru`, stacked or not)
 * as ONNX's own single LSTM / GRU op per layer, weights stored as initializers with the gates
 * reordered (PyTorch [i,f,g,o] → ONNX [i,o,f,c]; [r,z,n] → [z,r,h], with linear_before_reset=1 for
 * PyTorch's "reset after" GRU). Inputs and outputs follow `unroll`: x [T,B,I], h0 (and c0)
 * [layers,B,H] → out [T,B,H], h_T (and c_T) [layers,B,H].
 */
import { DEFAULT_DTYPE, fail, formatShape, type DType } from '@cellgrad/graph';
import { Emitter } from './emitter.js';
import { GRU_TORCH_TO_ONNX, LSTM_TORCH_TO_ONNX, reorderGates } from './gate-order.js';
import { elemType, onnx, valueInfo, type OnnxAttr } from './proto.js';
import { DEFAULT_OPSET, checkOpset, irVersionFor } from './to-onnx.js';

/** The cells that have a single-op ONNX form. */
export type RecurrentKind = 'lstm' | 'gru';

/** A weight: a shape and row-major data (an NDArray, or a reference file's `{ shape, data }`). */
export interface WeightValue {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** Sizes of the exported op; `steps` and `batch` may be left symbolic (`T`, `B`). */
export interface RecurrentSizes {
  readonly input: number;
  readonly hidden: number;
  readonly layers?: number;
  readonly steps?: number;
  readonly batch?: number;
}

/** Options of `exportRecurrentOp`. */
export interface RecurrentExportOptions {
  /** Element type of the model (default float32). */
  readonly dtype?: DType;
  /** ONNX opset (default 17). */
  readonly opset?: number;
}

const GATES: Readonly<Record<RecurrentKind, { count: number; order: readonly number[]; op: string }>> = {
  lstm: { count: 4, order: LSTM_TORCH_TO_ONNX, op: 'LSTM' },
  gru: { count: 3, order: GRU_TORCH_TO_ONNX, op: 'GRU' },
};

/** Weight `base` of layer `k`: `base_l<k>`, or plain `base` for a single layer. */
function weight(weights: Readonly<Record<string, WeightValue>>, base: string, k: number, layers: number, shape: readonly number[]): WeightValue {
  const names = layers === 1 ? [`${base}_l0`, base] : [`${base}_l${k}`];
  const found = names.find((n) => Object.hasOwn(weights, n));
  if (found === undefined) fail('usage', `exportRecurrentOp: missing weight '${names[0]}' (given: ${Object.keys(weights).join(', ') || 'none'})`);
  const w = weights[found]!;
  const ok = w.shape.length === shape.length && w.shape.every((d, i) => d === shape[i]) && w.data.length === shape.reduce((a, b) => a * b, 1);
  if (!ok) fail('usage', `exportRecurrentOp: weight '${found}' has shape ${formatShape(w.shape)}, expected ${formatShape(shape)}`);
  return w;
}

/**
 * The ONNX model (encoded bytes) running `cellName` as ONNX's LSTM or GRU op, one per layer.
 * `weights` use PyTorch's names (`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`, with `_l<k>` for
 * layer k; `_l0` is optional for one layer).
 * @example
 * const bytes = exportRecurrentOp('lstm', cellFeeds(lstm, opts), { input: 3, hidden: 4 });
 */
export function exportRecurrentOp(
  cellName: RecurrentKind,
  weights: Readonly<Record<string, WeightValue>>,
  sizes: RecurrentSizes,
  options: RecurrentExportOptions = {},
): Uint8Array {
  const gates = GATES[cellName];
  if (!gates) fail('usage', `exportRecurrentOp: no single ONNX op for cell '${String(cellName)}' (supported: lstm, gru)`);
  const opset = checkOpset(options.opset ?? DEFAULT_OPSET, 'exportRecurrentOp');
  const dtype = options.dtype ?? DEFAULT_DTYPE;
  const { input: I, hidden: H, layers = 1 } = sizes;
  for (const [k, v] of Object.entries({ input: I, hidden: H, layers })) {
    if (!Number.isInteger(v) || v < 1) fail('usage', `exportRecurrentOp: '${k}' must be a positive integer, got ${JSON.stringify(v)}`);
  }
  const isLstm = cellName === 'lstm';
  const stateNames = isLstm ? ['h', 'c'] : ['h'];
  const e = new Emitter({ nodes: [], inputs: [], outputs: [] }, opset, ['x', 'out', ...stateNames.flatMap((s) => [`${s}0`, `${s}_T`])]);
  const G = gates.count * H;
  let x = 'x';
  const finals: string[][] = stateNames.map(() => []);
  for (let k = 0; k < layers; k++) {
    const inSize = k === 0 ? I : H;
    const W = reorderGates(weight(weights, 'weight_ih', k, layers, [G, inSize]).data, gates.order, inSize);
    const R = reorderGates(weight(weights, 'weight_hh', k, layers, [G, H]).data, gates.order, H);
    const bi = reorderGates(weight(weights, 'bias_ih', k, layers, [G]).data, gates.order, 1);
    const bh = reorderGates(weight(weights, 'bias_hh', k, layers, [G]).data, gates.order, 1);
    const B = new Float64Array(2 * G);
    B.set(bi, 0);
    B.set(bh, G);
    const layerState = stateNames.map((s) => e.node('Slice', [`${s}0`, e.ints([k]), e.ints([k + 1]), e.ints([0])]));
    const inputs = [
      x,
      e.floats(`W_l${k}`, dtype, [1, G, inSize], W),
      e.floats(`R_l${k}`, dtype, [1, G, H], R),
      e.floats(`B_l${k}`, dtype, [1, 2 * G], B),
      '',
      ...layerState,
    ];
    const attrs: Record<string, OnnxAttr> = isLstm ? { hidden_size: { int: H } } : { hidden_size: { int: H }, linear_before_reset: { int: 1 } };
    const [Y, ...states] = e.nodeMulti(gates.op, inputs, 1 + stateNames.length, attrs);
    x = e.node('Squeeze', [Y!, e.ints([1])]);
    states.forEach((s, j) => finals[j]!.push(s));
  }
  e.node('Identity', [x], {}, 'out');
  stateNames.forEach((s, j) => {
    const parts = finals[j]!;
    if (parts.length === 1) e.node('Identity', parts, {}, `${s}_T`);
    else e.node('Concat', parts, { axis: { int: 0 } }, `${s}_T`);
  });
  const T = sizes.steps ?? 'T';
  const Bt = sizes.batch ?? 'B';
  const elem = elemType(dtype);
  const model = onnx.ModelProto.create({
    irVersion: irVersionFor(opset),
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'cellgrad',
    producerVersion: '0.1.0',
    docString: `PyTorch-compatible ${cellName} (${layers} layer${layers > 1 ? 's' : ''}) as ONNX ${gates.op}`,
    graph: {
      name: `cellgrad_${cellName}`,
      node: e.nodes,
      initializer: e.initializers,
      input: [valueInfo('x', elem, [T, Bt, I]), ...stateNames.map((s) => valueInfo(`${s}0`, elem, [layers, Bt, H]))],
      output: [valueInfo('out', elem, [T, Bt, H]), ...stateNames.map((s) => valueInfo(`${s}_T`, elem, [layers, Bt, H]))],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}
