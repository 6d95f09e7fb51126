/**
 * The sizes and sequence layout of `exportRecurrentOp`, named as `unroll`'s options (so an
 * `UnrollOptions` object can be passed as is), and their checking: what ONNX's LSTM / GRU op can
 * express is accepted, the rest (Keras-style `maskMode: 'carry'`, heads, teacher forcing,
 * regularisers) is refused with a `usage` error naming the option.
 */
import { fail } from '@cellgrad/graph';

/**
 * Sizes and layout of the exported op; `steps` and `batch` may be left symbolic (`T`, `B`).
 * The names and meanings are `unroll`'s (`UnrollOptions`).
 */
export interface RecurrentSizes {
  readonly input: number;
  readonly hidden: number;
  readonly layers?: number;
  readonly steps?: number;
  readonly batch?: number;
  /** Both directions per layer (ONNX `direction="bidirectional"`); `out` is [.., 2·hidden], forward first. */
  readonly bidirectional?: boolean;
  /** Variable-length batch: the model takes `sequence_lens` int32 [batch] (each sequence's length, 1..steps). */
  readonly lengths?: boolean;
  /** Output on padding steps: only `'zero'` (ONNX's rule); `'carry'` has no ONNX form and is refused. */
  readonly maskMode?: 'zero' | 'carry';
  /** Batch-first `x` [batch, steps, input] and `out` [batch, steps, ·]; states stay [layers·dirs, batch, hidden]. */
  readonly batchFirst?: boolean;
}

/** The checked sizes, defaults filled in. */
export interface ResolvedRecurrentSizes {
  readonly input: number;
  readonly hidden: number;
  readonly layers: number;
  readonly dirs: 1 | 2;
  readonly lengths: boolean;
  readonly batchFirst: boolean;
  readonly steps: number | 'T';
  readonly batch: number | 'B';
}

/** `unroll` options that change the computation beyond one ONNX op per layer. */
const UNSUPPORTED: Readonly<Record<string, (v: unknown) => boolean>> = {
  pattern: (v) => v !== undefined && v !== 'seq2seq',
  teacherForcing: (v) => v === true,
  regularize: (v) => v !== undefined,
};

/** Check `sizes` (see `RecurrentSizes`) for `exportRecurrentOp`; bad values are `usage` errors naming the option. */
export function resolveRecurrentSizes(sizes: RecurrentSizes): ResolvedRecurrentSizes {
  const where = 'exportRecurrentOp';
  if (typeof sizes !== 'object' || sizes === null) fail('usage', `${where}: sizes must be an object { input, hidden, layers?, ... }`);
  const { input, hidden, layers = 1 } = sizes;
  for (const [k, v] of Object.entries({ input, hidden, layers })) {
    if (!Number.isInteger(v) || v < 1) fail('usage', `${where}: '${k}' must be a positive integer, got ${JSON.stringify(v)}`);
  }
  for (const k of ['steps', 'batch'] as const) {
    const v = sizes[k];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) fail('usage', `${where}: '${k}' must be a positive integer, got ${JSON.stringify(v)}`);
  }
  for (const k of ['bidirectional', 'lengths', 'batchFirst'] as const) {
    const v = sizes[k];
    if (v !== undefined && typeof v !== 'boolean') fail('usage', `${where}: '${k}' must be true or false, got ${JSON.stringify(v)}`);
  }
  const { maskMode } = sizes;
  if (maskMode === 'carry') {
    fail('usage', `${where}: option maskMode 'carry' has no ONNX form (ONNX's recurrent ops output 0 on padding steps); use maskMode 'zero'`);
  }
  if (maskMode !== undefined && maskMode !== 'zero') fail('usage', `${where}: unknown maskMode ${JSON.stringify(maskMode)} (expected 'zero')`);
  if (maskMode !== undefined && !sizes.lengths) fail('usage', `${where}: option 'maskMode' needs 'lengths: true' (it says what padding steps output)`);
  const extra = sizes as unknown as Readonly<Record<string, unknown>>;
  for (const [k, bad] of Object.entries(UNSUPPORTED)) {
    if (bad(extra[k])) fail('usage', `${where}: option '${k}' (${JSON.stringify(extra[k])}) has no single-op ONNX form`);
  }
  return {
    input,
    hidden,
    layers,
    dirs: sizes.bidirectional ? 2 : 1,
    lengths: sizes.lengths ?? false,
    batchFirst: sizes.batchFirst ?? false,
    steps: sizes.steps ?? 'T',
    batch: sizes.batch ?? 'B',
  };
}
