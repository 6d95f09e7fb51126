/**
 * The single-op export (`exportRecurrentOp`): PyTorch's LSTM and GRU (one and two layers) written
 * as ONNX's LSTM/GRU op with the gates reordered, run on ONNX Runtime with the reference inputs of
 * ../shared/reference, must give PyTorch's out, h_T (and c_T). ORT runs these ops in float32 only,
 * so the comparison is float32: within 2e-6 relative to each tensor's scale (inputs and weights are
 * rounded to float32 first; PyTorch's float64 values are the reference). Also: the gate
 * permutations, errors for missing or mis-shaped weights, and that a wrong gate order fails.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isCellgradError, type NDArray } from '@cellgrad/graph';
import type { ReferenceCase } from '@cellgrad/cells';
import { loadReference } from '@cellgrad/cells/node';
import {
  exportRecurrentOp,
  GRU_TORCH_TO_ONNX,
  LSTM_TORCH_TO_ONNX,
  openSession,
  reorderGates,
  toOrtTensor,
  fromOrtTensor,
  type RecurrentKind,
} from '@cellgrad/onnx';
import { referenceDir } from '../cells/helpers.js';
import { worstError } from './helpers.js';

const TOL = 2e-6;

async function runCase(kind: RecurrentKind, c: ReferenceCase, bytes?: Uint8Array): Promise<Record<string, NDArray>> {
  const model = bytes ?? exportRecurrentOp(kind, c.params, { input: c.input_size, hidden: c.hidden_size, layers: c.layers });
  const session = await openSession(model);
  const feeds = Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, toOrtTensor(v, 'float32')]));
  const result = await session.run(feeds);
  await session.release();
  return Object.fromEntries(Object.keys(result).map((k) => [k, fromOrtTensor(result[k]!, k)]));
}

const expectedOf = (c: ReferenceCase) => {
  const names = ['out', 'h_T', ...(c.expected.tensors.c_T ? ['c_T'] : [])];
  return Object.fromEntries(names.map((n) => [n, c.expected.tensors[n]!]));
};

describe('exportRecurrentOp matches the PyTorch reference vectors on ONNX Runtime', () => {
  for (const [file, kind] of [
    ['lstm', 'lstm'],
    ['gru', 'gru'],
    ['lstm_2layer', 'lstm'],
    ['gru_2layer', 'gru'],
  ] as const) {
    it(`${file} (float32, ${TOL} of scale)`, async () => {
      const ref = loadReference(path.join(referenceDir, `${file}.json`));
      for (const c of ref.cases) {
        const got = await runCase(kind, c);
        const want = expectedOf(c);
        expect(Object.keys(got).sort()).toEqual(Object.keys(want).sort());
        for (const name of Object.keys(want)) expect(got[name]!.shape, name).toEqual([...want[name]!.shape]);
        const { name, error } = worstError(got, want);
        expect(error, `worst output ${name}`).toBeLessThanOrEqual(TOL);
      }
    });
  }

  it('without the gate reordering the model is wrong (the test can fail)', async () => {
    const c = loadReference(path.join(referenceDir, 'lstm.json')).cases[0]!;
    // Pre-apply the inverse of ONNX's permutation, so the exporter's reordering undoes into PyTorch order.
    const inverse = LSTM_TORCH_TO_ONNX.map((_, k) => LSTM_TORCH_TO_ONNX.indexOf(k));
    const scrambled = Object.fromEntries(
      Object.entries(c.params).map(([k, v]) => {
        const cols = v.shape.length === 2 ? v.shape[1]! : 1;
        return [k, { shape: v.shape, data: reorderGates(v.data, inverse, cols) }];
      }),
    );
    const bytes = exportRecurrentOp('lstm', scrambled, { input: c.input_size, hidden: c.hidden_size });
    expect(worstError(await runCase('lstm', c, bytes), expectedOf(c)).error).toBeGreaterThan(1e-2);
  });
});

describe('gate permutations and errors', () => {
  it('PyTorch [i,f,g,o] → ONNX [i,o,f,c]; [r,z,n] → [z,r,h]', () => {
    expect(LSTM_TORCH_TO_ONNX).toEqual([0, 3, 1, 2]);
    expect(GRU_TORCH_TO_ONNX).toEqual([1, 0, 2]);
    // Rows tagged by gate: i=1, f=2, g=3, o=4 (two rows per gate, two columns).
    const rows = [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4];
    expect([...reorderGates(rows, LSTM_TORCH_TO_ONNX, 2)]).toEqual([1, 1, 1, 1, 4, 4, 4, 4, 2, 2, 2, 2, 3, 3, 3, 3]);
    expect([...reorderGates([10, 20, 30], GRU_TORCH_TO_ONNX, 1)]).toEqual([20, 10, 30]);
  });

  it('missing or mis-shaped weights and unknown cells are usage errors naming the problem', () => {
    const c = loadReference(path.join(referenceDir, 'gru.json')).cases[0]!;
    const sizes = { input: c.input_size, hidden: c.hidden_size };
    const { bias_hh_l0: _, ...missing } = c.params;
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(isCellgradError(e, 'usage')).toBe(true);
        return (e as Error).message;
      }
      throw new Error('expected an error');
    };
    expect(err(() => exportRecurrentOp('gru', missing, sizes))).toMatch(/missing weight 'bias_hh_l0'/);
    expect(err(() => exportRecurrentOp('gru', c.params, { ...sizes, hidden: sizes.hidden + 1 }))).toMatch(
      /weight 'weight_ih_l0' has shape \[\d+,\d+\], expected/,
    );
    expect(err(() => exportRecurrentOp('rnn_tanh' as RecurrentKind, c.params, sizes))).toMatch(/no single ONNX op for cell 'rnn_tanh'/);
    expect(err(() => exportRecurrentOp('gru', c.params, sizes, { opset: 9 }))).toMatch(/opset must be an integer from 13 to 21/);
  });
});
