/**
 * The importer's LSTM, GRU and RNN against ONNX Runtime on every attribute the backend test data
 * leaves out: reverse and bidirectional runs with sequence_lens, peepholes, clip, input_forget,
 * linear_before_reset 0 and 1, initial states, and activation lists with their alpha/beta
 * (HardSigmoid, LeakyRelu, ScaledTanh, Affine, ThresholdedRelu, Elu, Softsign, Softplus, Relu).
 * Single-node models written with the project's ONNX writer; float32, within 1e-5 of each output's
 * scale. layout=1 (which ONNX Runtime's CPU kernels refuse) is checked against the layout-0 model's
 * ORT outputs, transposed. An unknown activation is an error naming it and the node.
 */
import { describe, expect, it } from 'vitest';
import { createRng, interpret, isCellgradError, ndarray, randomUniform, type NDArray, type Outputs } from '@cellgrad/graph';
import { DataType, Emitter, encodeModel, fromOnnx, fromOrtTensor, openSession, toOrtTensor, toSequenceLens, type ValueInfoProto } from '@cellgrad/onnx';
import { worstError } from './helpers.js';

type Kind = 'LSTM' | 'GRU' | 'RNN';
type Attr = { int: number } | { float: number } | { string: string } | { ints: number[] } | { floats: number[] } | { strings: string[] };

const [T, B, I, H] = [4, 3, 2, 3];
const GATES: Record<Kind, number> = { LSTM: 4, GRU: 3, RNN: 1 };
const info = (name: string, elem: number, shape: readonly number[]): ValueInfoProto => ({
  name,
  type: { tensorType: { elemType: elem, shape: { dim: shape.map((d) => ({ dimValue: d })) } } },
});

interface Case {
  readonly kind: Kind;
  readonly attrs: Readonly<Record<string, Attr>>;
  readonly lengths?: boolean;
  readonly peepholes?: boolean;
}

/** A one-node model; with `layout1`, X, initial states and outputs batch-first (the op's layout=1). */
function model(c: Case, seed: number, layout1 = false): Uint8Array {
  const rng = createRng(seed);
  const dirs = c.attrs.direction && 'string' in c.attrs.direction && c.attrs.direction.string === 'bidirectional' ? 2 : 1;
  const G = GATES[c.kind] * H;
  const e = new Emitter({ nodes: [], inputs: [], outputs: [] }, 17, ['X', 'sequence_lens', 'initial_h', 'initial_c', 'Y', 'Y_h', 'Y_c']);
  const w = (name: string, shape: number[]) => e.floats(name, 'float32', shape, randomUniform(rng, shape, -0.8, 0.8, 'float32').data);
  const isLstm = c.kind === 'LSTM';
  const inputs = [
    'X',
    w('W', [dirs, G, I]),
    w('R', [dirs, G, H]),
    w('B', [dirs, 2 * G]),
    c.lengths ? 'sequence_lens' : '',
    'initial_h',
    ...(isLstm ? ['initial_c', c.peepholes ? w('P', [dirs, 3 * H]) : ''] : []),
  ];
  const node = {
    opType: c.kind,
    name: `${c.kind.toLowerCase()}_under_test`,
    input: inputs,
    output: isLstm ? ['Y', 'Y_h', 'Y_c'] : ['Y', 'Y_h'],
    attribute: (Object.entries({ ...c.attrs, hidden_size: { int: H }, ...(layout1 ? { layout: { int: 1 } } : {}) }) as [string, Attr][]).map(([name, v]) => {
      if ('int' in v) return { name, type: 2, i: v.int };
      if ('float' in v) return { name, type: 1, f: v.float };
      if ('string' in v) return { name, type: 3, s: new TextEncoder().encode(v.string) };
      if ('floats' in v) return { name, type: 6, floats: v.floats };
      if ('ints' in v) return { name, type: 7, ints: v.ints };
      return { name, type: 8, strings: v.strings.map((s) => new TextEncoder().encode(s)) };
    }),
  };
  const F = DataType.FLOAT;
  const seq = layout1 ? [B, T, I] : [T, B, I];
  const state = layout1 ? [B, dirs, H] : [dirs, B, H];
  const y = layout1 ? [B, T, dirs, H] : [T, dirs, B, H];
  return encodeModel({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: {
      name: 'one_op',
      node: [...e.nodes, node],
      initializer: e.initializers,
      input: [
        info('X', F, seq),
        ...(c.lengths ? [info('sequence_lens', DataType.INT32, [B])] : []),
        info('initial_h', F, state),
        ...(isLstm ? [info('initial_c', F, state)] : []),
      ],
      output: [info('Y', F, y), info('Y_h', F, state), ...(isLstm ? [info('Y_c', F, state)] : [])],
    },
  });
}

function feeds(c: Case, dirs: number): Record<string, NDArray> {
  const rng = createRng(17);
  return {
    X: randomUniform(rng, [T, B, I], -2, 2, 'float32'),
    initial_h: randomUniform(rng, [dirs, B, H], -1, 1, 'float32'),
    ...(c.kind === 'LSTM' ? { initial_c: randomUniform(rng, [dirs, B, H], -1, 1, 'float32') } : {}),
    ...(c.lengths ? { sequence_lens: ndarray([4, 1, 3], [B], 'float32') } : {}),
  };
}

async function ort(bytes: Uint8Array, f: Record<string, NDArray>): Promise<Outputs> {
  const session = await openSession(bytes);
  try {
    const ins = Object.fromEntries(Object.entries(f).map(([k, v]) => [k, k === 'sequence_lens' ? toSequenceLens(v) : toOrtTensor(v, 'float32')]));
    const result = await session.run(ins);
    return Object.fromEntries(Object.keys(result).map((k) => [k, fromOrtTensor(result[k]!, k)]));
  } finally {
    await session.release();
  }
}

function imported(bytes: Uint8Array, f: Record<string, NDArray>): Outputs {
  const { graph, initializers } = fromOnnx(bytes);
  return interpret(graph, { ...initializers, ...f });
}

/** Permute the axes of a row-major array. */
function permute(a: NDArray, perm: readonly number[]): NDArray {
  const shape = perm.map((p) => a.shape[p]!);
  const strides = a.shape.map((_, i) => a.shape.slice(i + 1).reduce((x, y) => x * y, 1));
  const out = new Float32Array(a.data.length);
  const idx = new Array(shape.length).fill(0);
  for (let k = 0; k < out.length; k++) {
    out[k] = a.data[idx.reduce((s, v, i) => s + v * strides[perm[i]!]!, 0)]!;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]!) break;
      idx[d] = 0;
    }
  }
  return ndarray(out, shape, 'float32');
}

const bi = { direction: { string: 'bidirectional' } } as const;
const CASES: readonly (Case & { name: string })[] = [
  { name: 'LSTM reverse, sequence_lens', kind: 'LSTM', attrs: { direction: { string: 'reverse' } }, lengths: true },
  { name: 'LSTM bidirectional, sequence_lens, peepholes', kind: 'LSTM', attrs: bi, lengths: true, peepholes: true },
  { name: 'LSTM clip 0.5, input_forget', kind: 'LSTM', attrs: { clip: { float: 0.5 }, input_forget: { int: 1 } } },
  {
    name: 'LSTM activations HardSigmoid/LeakyRelu/ScaledTanh with alpha/beta',
    kind: 'LSTM',
    attrs: {
      activations: { strings: ['HardSigmoid', 'LeakyRelu', 'ScaledTanh'] },
      activation_alpha: { floats: [0.3, 0.05, 1.2] },
      activation_beta: { floats: [0.4, 0.8] },
    },
  },
  {
    name: 'LSTM bidirectional, six activations (Sigmoid, Affine, Softsign / Sigmoid, Elu, Softplus)',
    kind: 'LSTM',
    attrs: {
      ...bi,
      activations: { strings: ['Sigmoid', 'Affine', 'Softsign', 'Sigmoid', 'Elu', 'Softplus'] },
      activation_alpha: { floats: [0.7, 0.9] },
      activation_beta: { floats: [0.1] },
    },
    lengths: true,
  },
  { name: 'GRU linear_before_reset 0, reverse', kind: 'GRU', attrs: { direction: { string: 'reverse' } } },
  { name: 'GRU linear_before_reset 1, bidirectional, sequence_lens', kind: 'GRU', attrs: { ...bi, linear_before_reset: { int: 1 } }, lengths: true },
  {
    name: 'GRU clip, activations Sigmoid/ThresholdedRelu',
    kind: 'GRU',
    attrs: { clip: { float: 0.7 }, activations: { strings: ['sigmoid', 'ThresholdedRelu'] }, activation_alpha: { floats: [0.2] } },
  },
  { name: 'RNN Relu', kind: 'RNN', attrs: { activations: { strings: ['Relu'] } } },
  {
    name: 'RNN bidirectional Affine / Tanh, sequence_lens',
    kind: 'RNN',
    attrs: { ...bi, activations: { strings: ['Affine', 'Tanh'] }, activation_alpha: { floats: [0.5] }, activation_beta: { floats: [0.2] } },
    lengths: true,
  },
  { name: 'RNN reverse, clip, sequence_lens', kind: 'RNN', attrs: { direction: { string: 'reverse' }, clip: { float: 0.6 } }, lengths: true },
];

describe('imported LSTM/GRU/RNN equal ONNX Runtime on every attribute', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const dirs = 'direction' in c.attrs && (c.attrs.direction as { string: string }).string === 'bidirectional' ? 2 : 1;
      const bytes = model(c, 5);
      const f = feeds(c, dirs);
      const want = await ort(bytes, f);
      const got = imported(bytes, f);
      for (const k of Object.keys(want)) expect(got[k]?.shape, k).toEqual([...want[k]!.shape]);
      const { name, error } = worstError(got, want);
      expect(error, `worst output ${name}`).toBeLessThanOrEqual(1e-5);
    });
  }

  for (const c of [CASES[1]!, CASES[6]!, CASES[9]!]) {
    it(`layout=1: ${c.name} (against ORT's layout-0 outputs, transposed)`, async () => {
      const dirs = 2;
      const f = feeds(c, dirs);
      const want = await ort(model(c, 5), f);
      const f1: Record<string, NDArray> = { ...f, X: permute(f.X!, [1, 0, 2]), initial_h: permute(f.initial_h!, [1, 0, 2]) };
      if (f.initial_c) f1.initial_c = permute(f.initial_c, [1, 0, 2]);
      const got = imported(model(c, 5, true), f1);
      const back: Outputs = { Y: permute(got.Y!, [1, 2, 0, 3]), Y_h: permute(got.Y_h!, [1, 0, 2]), ...(got.Y_c ? { Y_c: permute(got.Y_c, [1, 0, 2]) } : {}) };
      const { name, error } = worstError(back, want);
      expect(error, `worst output ${name}`).toBeLessThanOrEqual(1e-5);
    });
  }

  it('an unknown activation is a graph error naming it and the node', () => {
    const bytes = model({ kind: 'RNN', attrs: { activations: { strings: ['Swish'] } } }, 1);
    let err: unknown;
    try {
      fromOnnx(bytes);
    } catch (e) {
      err = e;
    }
    expect(isCellgradError(err)).toBe(true);
    expect((err as Error).message).toMatch(/RNN node 'rnn_under_test'.*activation 'Swish'/);
  });
});
