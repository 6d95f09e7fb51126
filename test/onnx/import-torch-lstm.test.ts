/**
 * The model `torch.onnx.export` writes for `nn.LSTM(I, H, num_layers=2, bidirectional=True)` run on a
 * packed batch, built here with the project's own ONNX writer: one LSTM node per layer (weights
 * reordered from PyTorch's gates i,f,g,o to ONNX's i,o,f,c, W/R/B as initializers), `sequence_lens`,
 * each layer's slice of h0/c0 taken with Slice, the output glued between layers with
 * Transpose + Reshape (and Squeeze for a one-direction top layer), final states joined by Concat.
 * `fromOnnx` imports it; the interpreter matches ONNX Runtime's outputs (float32, within 1e-5 of
 * each output's scale; padding steps exactly 0), and the imported graph gradchecks in float64 (fast mode: random directions vᵀJu)
 * (every input but the lengths, the weights included).
 */
import { describe, expect, it } from 'vitest';
import { gradcheck } from '@cellgrad/autodiff';
import { castGraph, createRng, interpret, ndarray, randomUniform, type NDArray, type Outputs } from '@cellgrad/graph';
import {
  DataType,
  Emitter,
  LSTM_TORCH_TO_ONNX,
  encodeModel,
  fromOnnx,
  fromOrtTensor,
  openSession,
  reorderGates,
  toOrtTensor,
  toSequenceLens,
  type ValueInfoProto,
} from '@cellgrad/onnx';
import { worstError } from './helpers.js';

const [T, B, I, H] = [5, 3, 3, 4];

const info = (name: string, elem: number, shape: readonly number[]): ValueInfoProto => ({
  name,
  type: { tensorType: { elemType: elem, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
});

/** The ONNX model of a 2-layer bidirectional LSTM as torch.onnx.export lays it out; `topForwardOnly` makes layer 2 one-directional. */
function torchShapedLstm(seed: number, topForwardOnly = false): Uint8Array {
  const rng = createRng(seed);
  const e = new Emitter({ nodes: [], inputs: [], outputs: [] }, 14, ['input', 'sequence_lens', 'h0', 'c0', 'output', 'hn', 'cn']);
  let x = 'input';
  const hs: string[] = [];
  const cs: string[] = [];
  let stateRow = 0;
  for (let layer = 0; layer < 2; layer++) {
    const dirs = layer === 1 && topForwardOnly ? 1 : 2;
    const inSize = layer === 0 ? I : 2 * H;
    const k = 1 / Math.sqrt(H);
    // PyTorch's parameters (gates i, f, g, o), reordered to ONNX's (i, o, f, c) per direction.
    const torch = (rows: number, cols: number) => randomUniform(rng, [rows, cols], -k, k, 'float32').data;
    const W: number[] = [];
    const R: number[] = [];
    const Bias: number[] = [];
    for (let d = 0; d < dirs; d++) {
      W.push(...reorderGates(torch(4 * H, inSize), LSTM_TORCH_TO_ONNX, inSize));
      R.push(...reorderGates(torch(4 * H, H), LSTM_TORCH_TO_ONNX, H));
      Bias.push(...reorderGates(torch(4 * H, 1), LSTM_TORCH_TO_ONNX, 1), ...reorderGates(torch(4 * H, 1), LSTM_TORCH_TO_ONNX, 1));
    }
    const h0 = e.node('Slice', ['h0', e.ints([stateRow]), e.ints([stateRow + dirs]), e.ints([0])]);
    const c0 = e.node('Slice', ['c0', e.ints([stateRow]), e.ints([stateRow + dirs]), e.ints([0])]);
    stateRow += dirs;
    const inputs = [
      x,
      e.floats(`onnx::LSTM_W_${layer}`, 'float32', [dirs, 4 * H, inSize], W),
      e.floats(`onnx::LSTM_R_${layer}`, 'float32', [dirs, 4 * H, H], R),
      e.floats(`onnx::LSTM_B_${layer}`, 'float32', [dirs, 8 * H], Bias),
      'sequence_lens',
      h0,
      c0,
    ];
    const attrs = { hidden_size: { int: H }, ...(dirs === 2 ? { direction: { string: 'bidirectional' } } : {}) };
    const [Y, Yh, Yc] = e.nodeMulti('LSTM', inputs, 3, attrs);
    x =
      dirs === 2 ? e.node('Reshape', [e.node('Transpose', [Y!], { perm: { ints: [0, 2, 1, 3] } }), e.ints([0, 0, -1])]) : e.node('Squeeze', [Y!, e.ints([1])]);
    hs.push(Yh!);
    cs.push(Yc!);
  }
  e.node('Identity', [x], {}, 'output');
  e.node('Concat', hs, { axis: { int: 0 } }, 'hn');
  e.node('Concat', cs, { axis: { int: 0 } }, 'cn');
  const rows = topForwardOnly ? 3 : 4;
  const F = DataType.FLOAT;
  return encodeModel({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 14 }],
    producerName: 'pytorch-shaped (cellgrad test)',
    graph: {
      name: 'main_graph',
      node: e.nodes,
      initializer: e.initializers,
      input: [info('input', F, [T, B, I]), info('sequence_lens', DataType.INT32, [B]), info('h0', F, [rows, B, H]), info('c0', F, [rows, B, H])],
      output: [info('output', F, [T, B, topForwardOnly ? H : 2 * H]), info('hn', F, [rows, B, H]), info('cn', F, [rows, B, H])],
    },
  });
}

function feedsFor(seed: number, rows: number): Record<string, NDArray> {
  const rng = createRng(seed);
  return {
    input: randomUniform(rng, [T, B, I], -1, 1, 'float32'),
    sequence_lens: ndarray([5, 2, 4], [B], 'float32'),
    h0: randomUniform(rng, [rows, B, H], -1, 1, 'float32'),
    c0: randomUniform(rng, [rows, B, H], -1, 1, 'float32'),
  };
}

async function onnxRuntime(bytes: Uint8Array, feeds: Record<string, NDArray>): Promise<Outputs> {
  const session = await openSession(bytes);
  try {
    const result = await session.run({
      input: toOrtTensor(feeds.input!, 'float32'),
      sequence_lens: toSequenceLens(feeds.sequence_lens!),
      h0: toOrtTensor(feeds.h0!, 'float32'),
      c0: toOrtTensor(feeds.c0!, 'float32'),
    });
    return Object.fromEntries(Object.keys(result).map((k) => [k, fromOrtTensor(result[k]!, k)]));
  } finally {
    await session.release();
  }
}

describe('a torch.onnx.export-shaped bidirectional two-layer LSTM imports, matches ONNX Runtime and gradchecks', () => {
  for (const topForwardOnly of [false, true]) {
    const label = topForwardOnly ? 'bidirectional then forward (Squeeze glue)' : 'bidirectional × 2 (Transpose/Reshape glue)';
    it(`${label}: ORT equals the imported graph; padding steps are 0`, async () => {
      const bytes = torchShapedLstm(7, topForwardOnly);
      const { graph, initializers, inputs } = fromOnnx(bytes);
      expect(inputs.filter((i) => i.initializer).map((i) => i.name)).toEqual([
        'onnx::LSTM_W_0',
        'onnx::LSTM_R_0',
        'onnx::LSTM_B_0',
        'onnx::LSTM_W_1',
        'onnx::LSTM_R_1',
        'onnx::LSTM_B_1',
      ]);
      expect(inputs.find((i) => i.name === 'sequence_lens')?.elemType).toBe('int32');
      const feeds = feedsFor(3, topForwardOnly ? 3 : 4);
      const want = await onnxRuntime(bytes, feeds);
      const got = interpret(graph, { ...initializers, ...feeds });
      for (const k of ['output', 'hn', 'cn']) expect(got[k]!.shape, k).toEqual([...want[k]!.shape]);
      const { name, error } = worstError(got, want);
      expect(error, `worst output ${name}`).toBeLessThanOrEqual(1e-5);
      // Sequence 1 has length 2: its output rows at t ≥ 2 are exactly zero (both directions).
      const D = got.output!.shape[2]!;
      for (let t = 2; t < T; t++) for (let j = 0; j < D; j++) expect(got.output!.data[(t * B + 1) * D + j]).toBe(0);
    });
  }

  it('the imported graph gradchecks in float64 (inputs, initial states and every weight)', () => {
    const { graph, initializers } = fromOnnx(torchShapedLstm(9));
    const g = castGraph(graph, 'float64');
    const feeds = { ...initializers, ...feedsFor(4, 4) };
    const f64 = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, ndarray(v.data, v.shape, 'float64')]));
    const report = gradcheck(g, f64, { mode: 'fast', seed: 2, wrt: g.inputs.map((p) => p.name).filter((n) => n !== 'sequence_lens') });
    expect(report.passed).toBe(true);
  });
});
