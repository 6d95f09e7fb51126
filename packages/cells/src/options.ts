/**
 * The options of `unroll` (and of the helpers that describe or feed an unrolled graph), validated:
 * sizes, dtype, stacked and bidirectional layers, the design pattern (sequence to sequence,
 * sequence to one with a softmax head, Jordan feedback with teacher forcing), variable-length
 * batches (`lengths`, `maskMode`) and the batch-first layout.
 */
import { CellgradError, checkDType, DEFAULT_DTYPE, type DType } from '@cellgrad/graph';
import type { Cell } from './cell.js';
import { isCell } from './define-cell.js';
import { resolveRegularize, type RegularizeMode, type RegularizeOptions, type ResolvedRegularize } from './regularize/options.js';

/**
 * The design pattern of an unrolled graph:
 * - `'seq2seq'` (default): an output at every step, `out` [steps, batch, outputs];
 * - `'seq2one'`: only the last step's output, through a dense + softmax head: outputs `logits` and
 *   `probs` [batch, classes] (parameters `head_weight` [classes, outputs], `head_bias` [classes]).
 */
export type UnrollPattern = 'seq2seq' | 'seq2one';

/**
 * What a variable-length graph's output holds on padding steps (`t >= lengths[b]`):
 * - `'zero'` (default): 0, as PyTorch's `pad_packed_sequence`;
 * - `'carry'`: the output of the sequence's last real step, as Keras's masking (a reverse direction,
 *   which meets the padding before any real step, outputs 0 there).
 * Either way the states stop at each sequence's last step and padding gets exactly zero gradient.
 */
export type MaskMode = 'zero' | 'carry';

/** How to unroll a cell. */
export interface UnrollOptions {
  /** Input width of the first layer. */
  readonly input: number;
  /** Hidden width (every layer). */
  readonly hidden: number;
  /** Batch size. */
  readonly batch: number;
  /** Number of time steps. */
  readonly steps: number;
  /** Element type of the graph (default `float32`). */
  readonly dtype?: DType;
  /** Number of stacked layers (default 1). */
  readonly layers?: number;
  /**
   * Run every layer forward and on the time-reversed sequence, concatenating both outputs on the
   * feature axis (PyTorch's `bidirectional=True`; default false). Reverse parameters end in `_reverse`.
   */
  readonly bidirectional?: boolean;
  /** `'seq2seq'` (default) or `'seq2one'` (see `UnrollPattern`). */
  readonly pattern?: UnrollPattern;
  /** Number of classes of the `'seq2one'` head (required by that pattern, refused otherwise). */
  readonly classes?: number;
  /**
   * Jordan feedback with teacher forcing: the graph gets an input `targets` shaped like `out`, and
   * at every step after the first the top layer's fed-back output state (the state the step also
   * returns as its output, e.g. the `jordan` cell's `h`) is replaced by the true target of the
   * previous step (for the reverse direction: of the next time step). Default false.
   */
  readonly teacherForcing?: boolean;
  /**
   * Variable-length batch (PyTorch's packed sequences): the graph gets an input `lengths` `[batch]`
   * holding each sequence's length, integers 1..steps fed as numbers of the graph's dtype. Steps
   * `t >= lengths[b]` are padding: the states are held (so `<state>_T` is each sequence's state after
   * its own last step, and the reverse direction starts at its own last step), the output there
   * follows `maskMode`, and padding receives exactly zero gradient. One graph serves every length
   * up to `steps`. Check feeds with `checkLengths`. Default false.
   */
  readonly lengths?: boolean;
  /** The output on padding steps when `lengths` is on: `'zero'` (default) or `'carry'` (see `MaskMode`). */
  readonly maskMode?: MaskMode;
  /**
   * Batch-first layout (PyTorch's `batch_first=True`): `x` is `[batch, steps, input]`, `out` (and
   * `targets`) `[batch, steps, outputs]`; states keep `[layers·dirs, batch, ...]`. Default false.
   */
  readonly batchFirst?: boolean;
  /** Dropout, variational dropout, weight drop and zoneout (see `RegularizeOptions`); a `key` input appears in train mode. */
  readonly regularize?: RegularizeOptions;
  /** `'train'` (default): random masks from the `key` input; `'eval'`: dropout off, zoneout by its expectation. */
  readonly mode?: RegularizeMode;
  /** How a linear recurrence runs (see `ScanMode`); default `'auto'`. */
  readonly scan?: ScanMode;
  /** The form of its scans (see `ScanForm`): `'direct'` (default) or `'log'`. */
  readonly scanForm?: ScanForm;
  /** Whether a cell that is not linear has its time-parallel work hoisted out of the step loop (see `HoistMode`); default `'auto'`. */
  readonly hoist?: HoistMode;
  /** Whether each layer runs as one `loop` node whose body is the step (see `LoopMode`); default `'auto'`. */
  readonly loop?: LoopMode;
}

/**
 * Whether `unroll` builds each layer and direction as one `loop` node (the step traced once, run
 * over time by the interpreter and the compiled plan; its gradient a reverse loop), so building,
 * differentiating and compiling cost the same at any number of steps:
 * - `'auto'` (default): from `LOOP_MIN_STEPS` (256) steps on, when no linear-recurrence scan applies
 *   and the unroll has no teacher forcing or regularisers;
 * - `'always'`: as loops, or a `usage` error saying why not;
 * - `'never'`: one copy of the step per time step (what printing and drawing step by step show).
 * The values and gradients are the same either way.
 */
export type LoopMode = 'auto' | 'always' | 'never';

/**
 * Whether `unroll` computes the time-parallel work (x·W, a layer norm of it, gates reading only x)
 * of a cell that is not a linear recurrence once for all T·B rows before its step loop
 * (`hoistedLayer`): `'auto'` (default) when the unroll is one direction without `lengths`, teacher
 * forcing or regularisers and `scan` is not `'never'`; `'never'` keeps the plain loop (one copy of
 * the whole step per time step). The values and gradients are the same either way, and the step is
 * still called once per time step (plus once over all T·B rows), so an error inside it names its step.
 */
export type HoistMode = 'auto' | 'never';

/**
 * Whether `unroll` runs a cell whose every state is a linear recurrence (h' = a ⊙ h + b with a, b
 * reading no state; `analyzeRecurrence`) as `linear_scan`s, computing everything else once for all
 * T·B rows:
 * - `'auto'` (default): when the cell is linear and the unroll is one direction without
 *   `lengths`, teacher forcing or regularisers; otherwise step by step;
 * - `'always'`: as scans, or a `usage` error saying why not;
 * - `'never'`: step by step (the graph has one copy of the step per time step).
 * The values and gradients are the same either way.
 */
export type ScanMode = 'auto' | 'always' | 'never';

/**
 * The form of a linear recurrence's scans:
 * - `'direct'` (default): `linear_scan`, h_t = a_t ⊙ h_{t−1} + b_t;
 * - `'log'`: `log_linear_scan` on log a and log b, h_t = exp(s_t) with
 *   s_t = logaddexp(log a_t + s_{t−1}, log b_t) (the log-space form of Feng et al. 2024). Every
 *   state's a and b must be one product of factors known to be positive (σ(u), 1 − σ(u), eᵘ,
 *   softplus(u), sums and products of those, positive constants); σ(u) and 1 − σ(u) enter as
 *   −softplus(∓u) and eᵘ as u, never rounded to 0 or 1 first. Needs the scan form (a `usage` error
 *   says why an unroll cannot take it).
 */
export type ScanForm = 'direct' | 'log';

/** `UnrollOptions` with every default filled in (`classes` is 0 unless the pattern is seq2one). */
export interface ResolvedUnrollOptions {
  readonly input: number;
  readonly hidden: number;
  readonly batch: number;
  readonly steps: number;
  readonly dtype: DType;
  readonly layers: number;
  readonly bidirectional: boolean;
  readonly pattern: UnrollPattern;
  readonly classes: number;
  readonly teacherForcing: boolean;
  readonly lengths: boolean;
  readonly maskMode: MaskMode;
  readonly batchFirst: boolean;
  readonly regularize: ResolvedRegularize;
  readonly mode: RegularizeMode;
  readonly scan: ScanMode;
  readonly scanForm: ScanForm;
  readonly hoist: HoistMode;
  readonly loop: LoopMode;
}

const SIZE_KEYS = ['input', 'hidden', 'batch', 'steps', 'layers'] as const;
const KNOWN = [
  ...SIZE_KEYS,
  'dtype',
  'bidirectional',
  'pattern',
  'classes',
  'teacherForcing',
  'lengths',
  'maskMode',
  'batchFirst',
  'regularize',
  'mode',
  'scan',
  'scanForm',
  'hoist',
  'loop',
];

/** The most step instances (steps × layers × directions) one unroll traces; far beyond practical use. */
export const MAX_STEP_INSTANCES = 2 ** 20;

/**
 * Check `cell` and `options` (positive integer sizes, a known dtype and pattern) and fill in the
 * defaults. `fn` names the calling function in error messages.
 */
export function resolveUnrollOptions(cell: Cell, options: UnrollOptions, fn = 'unroll'): ResolvedUnrollOptions {
  if (!isCell(cell))
    throw new CellgradError('usage', `${fn}: the first argument must be a cell made by defineCell (or a built-in cell), got ${describe(cell)}`);
  const bad = (msg: string): never => {
    throw new CellgradError('usage', `${fn}(cell '${cell.name}'): ${msg}`);
  };
  if (typeof options !== 'object' || options === null)
    bad(
      'options must be an object { input, hidden, batch, steps, dtype?, layers?, bidirectional?, pattern?, classes?, teacherForcing?, lengths?, maskMode?, batchFirst? }',
    );
  const unknown = Object.keys(options).filter((k) => !KNOWN.includes(k));
  if (unknown.length > 0) bad(`unknown option(s) ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${KNOWN.join(', ')})`);
  const r = {
    dtype: DEFAULT_DTYPE,
    layers: 1,
    bidirectional: false,
    pattern: 'seq2seq' as UnrollPattern,
    teacherForcing: false,
    lengths: false,
    batchFirst: false,
    ...options,
  };
  for (const key of SIZE_KEYS) {
    const v = r[key];
    if (!Number.isInteger(v) || (v as number) <= 0) bad(`option '${key}' must be a positive integer, got ${JSON.stringify(v)}`);
  }
  checkDType(r.dtype, `${fn}(cell '${cell.name}')`);
  for (const key of ['bidirectional', 'teacherForcing', 'lengths', 'batchFirst'] as const) {
    if (typeof r[key] !== 'boolean') bad(`option '${key}' must be true or false, got ${JSON.stringify(r[key])}`);
  }
  const instances = r.steps * r.layers * (r.bidirectional ? 2 : 1);
  if (instances > MAX_STEP_INSTANCES) bad(`steps × layers × directions = ${instances} traced steps is more than unroll supports (${MAX_STEP_INSTANCES})`);
  if (r.pattern !== 'seq2seq' && r.pattern !== 'seq2one') bad(`unknown pattern ${JSON.stringify(r.pattern)} (expected 'seq2seq' or 'seq2one')`);
  let classes = 0;
  if (r.pattern === 'seq2one') {
    if (!Number.isInteger(r.classes) || (r.classes as number) <= 0)
      bad(`pattern 'seq2one' needs 'classes', a positive integer (the size of the softmax head), got ${JSON.stringify(r.classes)}`);
    classes = r.classes!;
  } else if (r.classes !== undefined) bad(`option 'classes' belongs to pattern 'seq2one' (the pattern is '${r.pattern}')`);
  const maskMode = r.maskMode ?? 'zero';
  if (maskMode !== 'zero' && maskMode !== 'carry') bad(`unknown maskMode ${JSON.stringify(maskMode)} (expected 'zero' or 'carry')`);
  if (r.maskMode !== undefined && !r.lengths) bad(`option 'maskMode' needs 'lengths: true' (it says what padding steps output)`);
  if (r.lengths && r.teacherForcing) bad(`options 'lengths' and 'teacherForcing' cannot be combined`);
  const scan = r.scan ?? 'auto';
  if (scan !== 'auto' && scan !== 'always' && scan !== 'never') bad(`unknown scan mode ${JSON.stringify(scan)} (expected 'auto', 'always' or 'never')`);
  const scanForm = r.scanForm ?? 'direct';
  if (scanForm !== 'direct' && scanForm !== 'log') bad(`unknown scanForm ${JSON.stringify(scanForm)} (expected 'direct' or 'log')`);
  if (scanForm === 'log' && scan === 'never') bad(`scanForm 'log' runs the recurrence as log-space scans, but scan is 'never'`);
  const hoist = r.hoist ?? 'auto';
  if (hoist !== 'auto' && hoist !== 'never') bad(`unknown hoist mode ${JSON.stringify(hoist)} (expected 'auto' or 'never')`);
  const loop = r.loop ?? 'auto';
  if (loop !== 'auto' && loop !== 'always' && loop !== 'never') bad(`unknown loop mode ${JSON.stringify(loop)} (expected 'auto', 'always' or 'never')`);
  const { regularize, mode } = resolveRegularize(r.regularize, r.mode, `${fn}(cell '${cell.name}')`);
  return {
    input: r.input,
    hidden: r.hidden,
    batch: r.batch,
    steps: r.steps,
    dtype: r.dtype,
    layers: r.layers,
    bidirectional: r.bidirectional,
    pattern: r.pattern,
    classes,
    teacherForcing: r.teacherForcing,
    lengths: r.lengths,
    maskMode,
    batchFirst: r.batchFirst,
    regularize,
    mode,
    scan,
    scanForm,
    hoist,
    loop,
  };
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return 'an object that is not a cell';
  return typeof x;
}
