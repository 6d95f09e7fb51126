/**
 * Running ONNX models on ONNX Runtime (onnxruntime-node, CPU): session options with explicit
 * thread counts, feeds converted to ORT tensors, outputs back to cellgrad NDArrays. ONNX Runtime is
 * loaded on first use (`runtime.ts`); the types here are cellgrad's own views of ORT's session and
 * tensor, so this package's declarations type-check without onnxruntime-node installed.
 */
import { fail, formatShape, type DType, type NDArray } from '@cellgrad/graph';
import { onnxRuntime } from './runtime.js';

/** An ONNX Runtime tensor (an `ort.Tensor` of onnxruntime-node), as cellgrad uses it. */
export interface OrtTensor {
  /** Element type, e.g. `float32`, `float64`, `int32`. */
  readonly type: string;
  /** The elements, row-major. */
  readonly data: unknown;
  readonly dims: readonly number[];
}

/** An ONNX Runtime inference session (an `ort.InferenceSession` of onnxruntime-node), as cellgrad uses it. */
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Run the model on named tensors; resolves to the requested outputs (all of them by default). */
  run(feeds: Readonly<Record<string, OrtTensor>>, outputNames?: readonly string[]): Promise<Record<string, OrtTensor>>;
  /** Free the session. */
  release(): Promise<void>;
}

/** Options of an ONNX Runtime session. */
export interface SessionOptions {
  /** Threads used inside one op (default 1: the headline figures are single-threaded). */
  readonly intraOpNumThreads?: number;
  /** Threads running independent ops in parallel (default 1; only used with `parallel`). */
  readonly interOpNumThreads?: number;
  /** Run independent ops in parallel (default false: sequential execution). */
  readonly parallel?: boolean;
  /** ORT graph optimisation level (default `all`; `compileOnnx` uses `basic` for float64). */
  readonly optimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

function positive(v: unknown, name: string): number {
  if (!Number.isInteger(v) || (v as number) < 1) fail('usage', `onnxruntime: ${name} must be a positive integer, got ${JSON.stringify(v)}`);
  return v as number;
}

/** Open an ONNX Runtime session on encoded model bytes. */
export async function openSession(model: Uint8Array, options: SessionOptions = {}): Promise<OrtSession> {
  const ort = onnxRuntime();
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['cpu'],
    intraOpNumThreads: positive(options.intraOpNumThreads ?? 1, 'intraOpNumThreads'),
    interOpNumThreads: positive(options.interOpNumThreads ?? 1, 'interOpNumThreads'),
    executionMode: options.parallel ? 'parallel' : 'sequential',
    graphOptimizationLevel: options.optimization ?? 'all',
  });
  return session as unknown as OrtSession;
}

/** An NDArray as an ORT tensor of `dtype` (the data is shared when it already has that type). */
export function toOrtTensor(a: NDArray, dtype: DType): OrtTensor {
  const data =
    dtype === 'float64'
      ? a.data instanceof Float64Array
        ? a.data
        : Float64Array.from(a.data)
      : a.data instanceof Float32Array
        ? a.data
        : Float32Array.from(a.data);
  return new (onnxRuntime().Tensor)(dtype, data, [...a.shape]);
}

/** An ORT float tensor as an NDArray (sharing its data). */
export function fromOrtTensor(t: OrtTensor, name: string): NDArray {
  const data = t.data;
  if (!(data instanceof Float32Array || data instanceof Float64Array)) {
    fail('graph', `onnxruntime: output '${name}' has element type ${t.type}, expected float32 or float64`);
  }
  return { shape: t.dims.map(Number), data };
}

/**
 * Sequence lengths (cellgrad's `lengths` feed, whatever its float type, or plain numbers) as the int32
 * [batch] ORT tensor an `exportRecurrentOp` model takes as `sequence_lens`. Each must be an integer ≥ 1.
 * @example
 * await session.run({ x: toOrtTensor(x, 'float32'), sequence_lens: toSequenceLens([5, 2, 3]), h0, c0 });
 */
export function toSequenceLens(lengths: NDArray | readonly number[]): OrtTensor {
  const values = Array.isArray(lengths) ? (lengths as readonly number[]) : Array.from((lengths as NDArray).data);
  if (!Array.isArray(lengths) && (lengths as NDArray).shape.length !== 1) {
    fail('feed', `sequence_lens: expected shape [batch], got ${formatShape((lengths as NDArray).shape)}`);
  }
  values.forEach((v, b) => {
    if (!Number.isInteger(v) || v < 1 || v > 0x7fffffff) fail('feed', `sequence_lens: lengths[${b}] = ${v} is not a positive integer`);
  });
  return new (onnxRuntime().Tensor)('int32', Int32Array.from(values), [values.length]);
}
