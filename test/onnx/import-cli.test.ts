/**
 * `cellgrad import` and `cellgrad onnx-test`, the real commands: an exported LSTM op imported to
 * graph JSON plus a weights file, which `print`, `viz` and `gradcheck` (with `--weights`) then take; the
 * weights file is required when the model stores initializers; `onnx-test` exits 0 on a passing
 * backend test folder, 1 when an expected output is altered (the mismatch named), 2 when an op
 * has no importer (the op and node named on one line). Also `fromOnnx`'s errors and the protobuf
 * layer on their own: an unknown op, bad bytes, a symbolic dimension, a TensorProto round trip.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cellFeeds, lstm, unroll } from '@cellgrad/cells';
import { deserialize, interpret, isCellgradError } from '@cellgrad/graph';
import { DataType, decodeTensor, encodeModel, encodeTensor, exportRecurrentOp, fromOnnx } from '@cellgrad/onnx';
import { cellgrad, tempDir } from '../cli/helpers.js';
import { worstError } from './helpers.js';

const NODE_TESTS = '/usr/share/libonnx-testdata/data/node';
const haveTests = (() => {
  try {
    readFileSync(path.join(NODE_TESTS, 'test_lstm_defaults', 'model.onnx'));
    return true;
  } catch {
    return false;
  }
})();

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

describe('cellgrad import', () => {
  it('an LSTM op model → graph.json + weights.json, equal to unroll; print and gradcheck take them', async () => {
    const dir = tempDir();
    const sizes = { input: 3, hidden: 4, batch: 2, steps: 3, dtype: 'float32' as const };
    const feeds = cellFeeds(lstm, sizes, 2);
    writeFileSync(path.join(dir, 'm.onnx'), exportRecurrentOp('lstm', feeds, sizes));
    const [model, graphFile, weightsFile] = ['m.onnx', 'g.json', 'w.json'].map((f) => path.join(dir, f)) as [string, string, string];

    const missing = await cellgrad(['import', model, '--out', graphFile]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/stores 3 initializers \(W_l0, R_l0, B_l0\); give --weights FILE/);

    const r = await cellgrad(['import', model, '--out', graphFile, '--weights', weightsFile]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/wrote .*g\.json \(\d+ nodes, from opset 17; inputs: x, h0, c0; 3 initializers to .*w\.json; outputs: out, h_T, c_T\)/);
    const g = deserialize(readFileSync(graphFile, 'utf8'));
    const weights = JSON.parse(readFileSync(weightsFile, 'utf8')) as Record<string, { shape: number[]; data: number[] }>;
    const w = Object.fromEntries(Object.entries(weights).map(([k, v]) => [k, { shape: v.shape, data: Float32Array.from(v.data) }]));
    const got = interpret(g, { ...w, x: feeds.x!, h0: feeds.h0!, c0: feeds.c0! });
    expect(worstError(got, interpret(unroll(lstm, sizes), feeds)).error).toBeLessThanOrEqual(1e-6);

    const printed = await cellgrad(['print', graphFile]);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toMatch(/input "W_l0"/);
    const drawn = await cellgrad(['viz', graphFile, '--format', 'dot']);
    expect(drawn.code, drawn.stderr).toBe(0);
    expect(drawn.stdout).toMatch(/^digraph/m);
    const checked = await cellgrad(['gradcheck', graphFile, '--weights', weightsFile, '--mode', 'fast']);
    expect(checked.code, checked.stdout + checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/R_l0 .* pass/);
  });
});

describe.skipIf(!haveTests)('cellgrad onnx-test', () => {
  it('exit 0 on a passing folder (test_lstm_batchwise), both dtypes listed', async () => {
    const r = await cellgrad(['onnx-test', path.join(NODE_TESTS, 'test_lstm_batchwise')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/test_lstm_batchwise: pass \(rtol 0\.001, atol 1e-7\)/);
    expect(r.stdout).toMatch(/ok +test_data_set_0 float64 /);
    expect(r.stdout).toMatch(/ok +test_data_set_0 float32 /);
  });

  it('exit 1 when an expected output is altered', async () => {
    const dir = path.join(tempDir(), 'test_gru_defaults');
    cpSync(path.join(NODE_TESTS, 'test_gru_defaults'), dir, { recursive: true });
    const file = path.join(dir, 'test_data_set_0', 'output_0.pb');
    const t = decodeTensor(readFileSync(file));
    const values = t.rawData ? Array.from(new Float32Array(new Uint8Array(t.rawData).buffer)) : [...(t.floatData ?? [])];
    values[1] = values[1]! + 0.01;
    writeFileSync(file, encodeTensor({ dims: t.dims, dataType: DataType.FLOAT, floatData: values, name: t.name ?? '' }));
    const r = await cellgrad(['onnx-test', dir]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/MISMATCH test_data_set_0 float64 .*worst element 1:/);
  });

  it('exit 2 with the reason when an op has no importer', async () => {
    const r = await cellgrad(['onnx-test', path.join(NODE_TESTS, 'test_conv_with_strides_padding')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/unsupported: fromOnnx: Conv node '.*': op type 'Conv' has no cellgrad import/);
  });
});

describe('fromOnnx errors and the protobuf layer', () => {
  const model = (opType: string, attrs = {}) =>
    encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        node: [{ opType, name: 'my_node', input: ['x'], output: ['y'], ...attrs }],
        input: [{ name: 'x', type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: 3 }] } } } }],
        output: [{ name: 'y', type: { tensorType: { elemType: DataType.FLOAT } } }],
      },
    });

  it('an op without an importer: a graph error naming the op type and the node', () => {
    const e = thrown(() => fromOnnx(model('Erf'), { dims: { batch: 2 } }));
    expect(isCellgradError(e, 'graph')).toBe(true);
    expect(e.message).toMatch(/Erf node 'my_node': op type 'Erf' has no cellgrad import/);
  });

  it('a caller-supplied importer covers an op type cellgrad lacks', () => {
    const { graph } = fromOnnx(model('Erf'), { dims: { batch: 2 }, importers: { Erf: (n) => [n.tensor(0).mul(1.5).tanh()] } });
    const y = interpret(graph, { x: { shape: [2, 3], data: Float32Array.from([0, 1, -1, 2, 0.5, -0.5]) } }).y!;
    expect(Array.from(y.data)).toEqual([0, 1, -1, 2, 0.5, -0.5].map((v) => Math.fround(Math.tanh(Math.fround(v * 1.5)))));
  });

  it('a symbolic dimension needs its size (dims option)', () => {
    expect(thrown(() => fromOnnx(model('Tanh'))).message).toMatch(/input 'x' dimension 0 is symbolic 'batch'; give its size with the dims option/);
    const { graph } = fromOnnx(model('Tanh'), { dims: { batch: 2 } });
    expect(graph.nodes[graph.inputs[0]!.id]!.shape).toEqual([2, 3]);
  });

  it('a truncated model: a graph error', () => {
    const bytes = model('Tanh');
    const e = thrown(() => fromOnnx(bytes.subarray(0, bytes.length - 5)));
    expect(isCellgradError(e, 'graph')).toBe(true);
    expect(e.message).toMatch(/cannot read the ONNX model/);
  });

  it('a TensorProto survives encode → decode (packed floats, int64 dims, name)', () => {
    const t = decodeTensor(encodeTensor({ dims: [2, 3], dataType: DataType.FLOAT, floatData: [1, -2.5, 3, 0, 5e-3, 6], name: 'w' }));
    expect(t.dims).toEqual([2, 3]);
    expect(t.name).toBe('w');
    expect(t.floatData).toEqual([1, -2.5, 3, 0, Math.fround(5e-3), 6]);
  });
});

describe('the protobuf reader refuses malformed messages', () => {
  it('a known field with the wrong wire type is a graph error naming the field', () => {
    // ModelProto field 1 (ir_version, a varint) written as a length-delimited field.
    const e = thrown(() => fromOnnx(new Uint8Array([0x0a, 0x01, 0x00])));
    expect(isCellgradError(e, 'graph')).toBe(true);
    expect(e.message).toMatch(/cannot read the ONNX model: .*field 1 has wire type 2, expected 0/);
  });

  it('a sub-message longer than the data is a graph error', () => {
    // ModelProto field 7 (graph) claiming 16 bytes, followed by one.
    expect(thrown(() => fromOnnx(new Uint8Array([0x3a, 0x10, 0x01]))).message).toMatch(/cannot read the ONNX model: .*runs past the end/);
  });
});
