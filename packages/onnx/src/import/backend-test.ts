/**
 * ONNX's backend conformance tests as cellgrad's: one test folder (`model.onnx` and
 * `test_data_set_*` with `input_<k>.pb` / `output_<k>.pb` TensorProtos) imported with `fromOnnx`
 * and run on the reference interpreter in float64 and in float32, each output compared with the
 * stored one as ONNX's backend tests compare (numpy's allclose: |a − e| ≤ atol + rtol·|e|, rtol
 * 1e-3, atol 1e-7, NaN equal to NaN). Integer inputs of a data set (shapes, axes, indices) are bound
 * as constants at import (cellgrad computes in floats); float inputs take the data set's shapes.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { castGraph, interpret, isCellgradError, ndarray, type DType, type NDArray } from '@cellgrad/graph';
import { decodeModel, decodeTensor } from '../proto/decode.js';
import { fromOnnx } from './from-onnx.js';
import { isFloatElem, tensorValue } from './tensor-data.js';

/** The tolerances of the comparison (ONNX's backend-test defaults). */
export const BACKEND_TEST_TOLERANCE = { rtol: 1e-3, atol: 1e-7 } as const;

/** One compared output. */
export interface OutputCheck {
  readonly dataSet: string;
  readonly dtype: DType;
  readonly output: string;
  /** The largest |actual − expected| − rtol·|expected| over the elements (≤ atol passes). */
  readonly worstExcess: number;
  /** Index and values of that element. */
  readonly worst: { readonly index: number; readonly actual: number; readonly expected: number };
  readonly ok: boolean;
}

/** The outcome of one backend test folder. */
export interface BackendTestResult {
  readonly name: string;
  /** pass: every output of every data set within tolerance in both dtypes; unsupported: the importer refused (see `reason`). */
  readonly status: 'pass' | 'mismatch' | 'unsupported';
  readonly reason?: string;
  readonly checks: readonly OutputCheck[];
}

function readPb(file: string): NDArray & { readonly elem: number } {
  const t = tensorValue(decodeTensor(readFileSync(file)), file);
  return { ...ndarray(t.data, [...t.shape], 'float64'), elem: t.elem };
}

/** The model's graph inputs that are not initializers, in order (how test data binds `input_<k>.pb`). */
function graphInputNames(bytes: Uint8Array): string[] {
  const g = decodeModel(bytes).graph;
  const stored = new Set((g?.initializer ?? []).map((t) => t.name));
  return (g?.input ?? []).map((v) => v.name ?? '').filter((n) => !stored.has(n));
}

function numbered(dir: string, prefix: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((a, b) => Number(a.slice(prefix.length, -3)) - Number(b.slice(prefix.length, -3)))
    .map((f) => join(dir, f));
}

function compare(actual: ArrayLike<number>, expected: ArrayLike<number>): { excess: number; index: number } {
  let excess = Number.NEGATIVE_INFINITY;
  let index = -1;
  if (actual.length !== expected.length) return { excess: Number.POSITIVE_INFINITY, index: -1 };
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (Number.isNaN(a) && Number.isNaN(e)) continue;
    const d = a === e ? 0 : Math.abs(a - e) - BACKEND_TEST_TOLERANCE.rtol * Math.abs(e);
    const x = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
    if (x > excess) {
      excess = x;
      index = i;
    }
  }
  return { excess: index < 0 ? 0 : excess, index: Math.max(index, 0) };
}

/**
 * Run one ONNX backend test folder through `fromOnnx` and the interpreter (float64, then float32).
 * An import refused with a CellgradError is `unsupported` with its message as the reason.
 * @example
 * const r = runBackendTest('/usr/share/libonnx-testdata/data/node/test_lstm_batchwise');
 * r.status; // 'pass'
 */
export function runBackendTest(dir: string, dtypes: readonly DType[] = ['float64', 'float32']): BackendTestResult {
  const checks: OutputCheck[] = [];
  try {
    return runSets(dir, dtypes, checks);
  } catch (e) {
    if (isCellgradError(e)) return { name: testName(dir), status: 'unsupported', reason: e.message, checks };
    throw e;
  }
}

const testName = (dir: string) => dir.split(/[\\/]/).filter(Boolean).pop() ?? dir;

function runSets(dir: string, dtypes: readonly DType[], checks: OutputCheck[]): BackendTestResult {
  const name = testName(dir);
  const modelFile = join(dir, 'model.onnx');
  if (!existsSync(modelFile)) return { name, status: 'unsupported', reason: `no model.onnx in ${dir}`, checks: [] };
  const bytes = readFileSync(modelFile);
  const model = decodeModel(bytes).graph;
  const nonTensor = [...(model?.input ?? []), ...(model?.output ?? [])].find((v) => v.type && !v.type.tensorType);
  if (nonTensor)
    return { name, status: 'unsupported', reason: `'${nonTensor.name}' is not a tensor (a sequence, map or optional); only tensors can be imported`, checks };
  const sets = readdirSync(dir)
    .filter((f) => f.startsWith('test_data_set_'))
    .sort();
  for (const set of sets) {
    const setDir = join(dir, set);
    const ins = numbered(setDir, 'input_').map(readPb);
    const outs = numbered(setDir, 'output_').map(readPb);
    // Inputs bound by position, as ONNX's runner does; integer ones (shapes, axes, indices) become
    // constants, since cellgrad needs them at import time; shapes are the data set's.
    const names = graphInputNames(bytes);
    const shapes: Record<string, readonly number[]> = {};
    const constants: Record<string, { shape: readonly number[]; data: ArrayLike<number> }> = {};
    names.forEach((name, k) => {
      const v = ins[k];
      if (!v) return;
      if (isFloatElem(v.elem)) shapes[name] = v.shape;
      else constants[name] = v;
    });
    const { graph, initializers, inputs } = fromOnnx(bytes, { shapes, constants });
    for (const dtype of dtypes) {
      const g = castGraph(graph, dtype);
      const feeds: Record<string, NDArray> = {};
      for (const [k, v] of Object.entries(initializers)) feeds[k] = ndarray(v.data, v.shape, dtype);
      for (const inp of inputs) {
        const v = ins[names.indexOf(inp.name)];
        if (!inp.initializer && v) feeds[inp.name] = ndarray(v.data, v.shape, dtype);
      }
      const values = interpret(g, feeds);
      graph.outputs.forEach((port, k) => {
        const expected = outs[k];
        if (!expected) return;
        const actual = values[port.name]!;
        const { excess, index } = compare(actual.data, expected.data);
        checks.push({
          dataSet: set,
          dtype,
          output: port.name,
          worstExcess: excess,
          worst: { index, actual: actual.data[index] ?? Number.NaN, expected: expected.data[index] ?? Number.NaN },
          ok: excess <= BACKEND_TEST_TOLERANCE.atol && actual.data.length === expected.data.length,
        });
      });
    }
  }
  if (checks.length === 0) return { name, status: 'unsupported', reason: 'no test data sets with outputs', checks };
  return { name, status: checks.every((c) => c.ok) ? 'pass' : 'mismatch', checks };
}
