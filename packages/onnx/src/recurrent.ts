/**
 * `exportRecurrentOp`: a PyTorch LSTM or GRU (cellgrad's built-in `lstm` / `gru`, stacked or not,
 * one or both directions) as ONNX's own single LSTM / GRU op per layer, weights stored as
 * initializers with the gates reordered (PyTorch [i,f,g,o] → ONNX [i,o,f,c]; [r,z,n] → [z,r,h],
 * with linear_before_reset=1 for PyTorch's "reset after" GRU). Inputs and outputs follow `unroll`:
 * x [T,B,I], h0 (and c0) [layers·dirs,B,H] → out [T,B,dirs·H], h_T (and c_T) [layers·dirs,B,H];
 * variable lengths become the op's `sequence_lens` input, batch-first transposes around the op.
 */
import { DEFAULT_DTYPE, fail, formatShape, type DType } from '@cellgrad/graph';
import { Emitter } from './emitter.js';
import { GRU_TORCH_TO_ONNX, LSTM_TORCH_TO_ONNX, reorderGates } from './gate-order.js';
import { ELEM, elemType, valueInfo, type OnnxAttr } from './proto.js';
import { encodeModel } from './proto/encode.js';
import type { ModelProto } from './proto/messages.js';
import { resolveRecurrentSizes, type RecurrentSizes } from './recurrent-sizes.js';
import { DEFAULT_OPSET, checkOpset, irVersionFor } from './to-onnx.js';

/** The cells that have a single-op ONNX form. */
export type RecurrentKind = 'lstm' | 'gru';

/** A weight: a shape and row-major data (an NDArray, or a reference file's `{ shape, data }`). */
export interface WeightValue {
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
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

/** Weight `base` of layer `k` (and direction): `base_l<k>[_reverse]`, or `base[_reverse]` for a single layer. */
function weight(
  weights: Readonly<Record<string, WeightValue>>,
  base: string,
  k: number,
  reverse: boolean,
  layers: number,
  shape: readonly number[],
): WeightValue {
  const rev = reverse ? '_reverse' : '';
  const names = layers === 1 ? [`${base}_l0${rev}`, `${base}${rev}`] : [`${base}_l${k}${rev}`];
  const found = names.find((n) => Object.hasOwn(weights, n));
  if (found === undefined) fail('usage', `exportRecurrentOp: missing weight '${names[0]}' (given: ${Object.keys(weights).join(', ') || 'none'})`);
  const w = weights[found]!;
  const ok = w.shape.length === shape.length && w.shape.every((d, i) => d === shape[i]) && w.data.length === shape.reduce((a, b) => a * b, 1);
  if (!ok) fail('usage', `exportRecurrentOp: weight '${found}' has shape ${formatShape(w.shape)}, expected ${formatShape(shape)}`);
  return w;
}

/** Both directions' weights of layer `k` in ONNX's layout: W [dirs,G,in], R [dirs,G,H], B [dirs,2G]. */
function layerWeights(
  weights: Readonly<Record<string, WeightValue>>,
  order: readonly number[],
  k: number,
  s: { readonly dirs: number; readonly layers: number; readonly G: number; readonly inSize: number; readonly H: number },
): { W: Float64Array; R: Float64Array; B: Float64Array } {
  const { dirs, layers, G, inSize, H } = s;
  const W = new Float64Array(dirs * G * inSize);
  const R = new Float64Array(dirs * G * H);
  const B = new Float64Array(dirs * 2 * G);
  for (let d = 0; d < dirs; d++) {
    const get = (base: string, shape: readonly number[]) => weight(weights, base, k, d === 1, layers, shape).data;
    W.set(reorderGates(get('weight_ih', [G, inSize]), order, inSize), d * G * inSize);
    R.set(reorderGates(get('weight_hh', [G, H]), order, H), d * G * H);
    B.set(reorderGates(get('bias_ih', [G]), order, 1), d * 2 * G);
    B.set(reorderGates(get('bias_hh', [G]), order, 1), d * 2 * G + G);
  }
  return { W, R, B };
}

/**
 * The ONNX model (encoded bytes) running `cellName` as ONNX's LSTM or GRU op, one per layer.
 * `weights` use PyTorch's names (`weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`, with `_l<k>` for
 * layer k, `_l0` optional for one layer, and `_reverse` for the reverse direction). `sizes` takes
 * `unroll`'s options: with `lengths: true` the model has an int32 input `sequence_lens` [batch]
 * (the op's own; outputs are 0 on padding steps and each sequence's `h_T` is its state after its own
 * last step, as `maskMode: 'zero'`); with `batchFirst: true`, `x` and `out` are [batch, steps, ·].
 * @example
 * const opts = { input: 3, hidden: 4, batch: 2, steps: 5, bidirectional: true, lengths: true };
 * const bytes = exportRecurrentOp('lstm', cellFeeds(lstm, opts), opts);
 */
export function exportRecurrentOp(
  cellName: RecurrentKind,
  weights: Readonly<Record<string, WeightValue>>,
  sizes: RecurrentSizes,
  options: RecurrentExportOptions = {},
): Uint8Array {
  const gates = Object.hasOwn(GATES, cellName) ? GATES[cellName] : undefined;
  if (!gates) fail('usage', `exportRecurrentOp: no single ONNX op for cell '${String(cellName)}' (supported: lstm, gru)`);
  const opset = checkOpset(options.opset ?? DEFAULT_OPSET, 'exportRecurrentOp');
  const dtype = options.dtype ?? DEFAULT_DTYPE;
  const { input: I, hidden: H, layers, dirs, lengths, batchFirst, steps: T, batch: Bt } = resolveRecurrentSizes(sizes);
  const isLstm = cellName === 'lstm';
  const stateNames = isLstm ? ['h', 'c'] : ['h'];
  const reserved = ['x', 'out', 'sequence_lens', ...stateNames.flatMap((s) => [`${s}0`, `${s}_T`])];
  const e = new Emitter({ nodes: [], inputs: [], outputs: [] }, opset, reserved);
  const G = gates.count * H;
  // The op runs time-major (layout 0): ONNX Runtime's CPU kernels refuse layout=1.
  let x = batchFirst ? e.node('Transpose', ['x'], { perm: { ints: [1, 0, 2] } }) : 'x';
  const finals: string[][] = stateNames.map(() => []);
  const attrs: Record<string, OnnxAttr> = { hidden_size: { int: H } };
  if (!isLstm) attrs.linear_before_reset = { int: 1 };
  if (dirs === 2) attrs.direction = { string: 'bidirectional' };
  for (let k = 0; k < layers; k++) {
    const inSize = k === 0 ? I : dirs * H;
    const { W, R, B } = layerWeights(weights, gates.order, k, { dirs, layers, G, inSize, H });
    const layerState = stateNames.map((s) => e.node('Slice', [`${s}0`, e.ints([k * dirs]), e.ints([(k + 1) * dirs]), e.ints([0])]));
    const inputs = [
      x,
      e.floats(`W_l${k}`, dtype, [dirs, G, inSize], W),
      e.floats(`R_l${k}`, dtype, [dirs, G, H], R),
      e.floats(`B_l${k}`, dtype, [dirs, 2 * G], B),
      lengths ? 'sequence_lens' : '',
      ...layerState,
    ];
    const [Y, ...states] = e.nodeMulti(gates.op, inputs, 1 + stateNames.length, attrs);
    // Y [T, dirs, B, H] → [T, B, dirs·H] (forward then reverse on the feature axis, as PyTorch).
    x =
      dirs === 1 ? e.node('Squeeze', [Y!, e.ints([1])]) : e.node('Reshape', [e.node('Transpose', [Y!], { perm: { ints: [0, 2, 1, 3] } }), e.ints([0, 0, -1])]);
    states.forEach((s, j) => finals[j]!.push(s));
  }
  if (batchFirst) e.node('Transpose', [x], { perm: { ints: [1, 0, 2] } }, 'out');
  else e.node('Identity', [x], {}, 'out');
  stateNames.forEach((s, j) => {
    const parts = finals[j]!;
    if (parts.length === 1) e.node('Identity', parts, {}, `${s}_T`);
    else e.node('Concat', parts, { axis: { int: 0 } }, `${s}_T`);
  });
  const elem = elemType(dtype);
  const seqShape = (feat: number) => (batchFirst ? [Bt, T, feat] : [T, Bt, feat]);
  const stateShape = [layers * dirs, Bt, H];
  const model: ModelProto = {
    irVersion: irVersionFor(opset),
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'cellgrad',
    producerVersion: '0.1.0',
    docString: `PyTorch-compatible ${cellName} (${layers} layer${layers > 1 ? 's' : ''}${dirs === 2 ? ', bidirectional' : ''}) as ONNX ${gates.op}`,
    graph: {
      name: `cellgrad_${cellName}`,
      node: e.nodes,
      initializer: e.initializers,
      input: [
        valueInfo('x', elem, seqShape(I)),
        ...(lengths ? [valueInfo('sequence_lens', ELEM.int32, [Bt])] : []),
        ...stateNames.map((s) => valueInfo(`${s}0`, elem, stateShape)),
      ],
      output: [valueInfo('out', elem, seqShape(dirs * H)), ...stateNames.map((s) => valueInfo(`${s}_T`, elem, stateShape))],
    },
  };
  return encodeModel(model);
}
