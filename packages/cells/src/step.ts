/**
 * Calling a cell's `step` once during unrolling: the step gets its inputs/states and parameters as
 * watched records (a read of a name that does not exist is noted); errors thrown inside it get the
 * cell, layer and step attached, the user's file:line:column (the first stack frame outside
 * cellgrad), the missing parameter or state it read (with the names that exist) and, for a misspelt
 * Tensor method, the nearest method's name; the original error is kept as `cause`. What the step returns is checked (every state present with its shape, the output
 * with its size) before the next step sees it.
 */
import { CellgradError, formatScope, formatShape, sameShape, Tensor, type GraphBuilder, type NodeScope, type Shape } from '@cellgrad/graph';
import type { Cell, StepInputs } from './cell.js';
import { formatMissing, relevantMisses, watchedRecord, type MissingRead, type RecordRole } from './user-code/watched-record.js';
import { tensorHint } from './user-code/tensor-hints.js';
import { formatFrame, userFrame, withStepStacks } from './user-code/user-frame.js';

/** Where a step runs, for error messages and checks. */
export interface StepContext {
  readonly builder: GraphBuilder;
  readonly step: number;
  readonly layer: number;
  readonly layers: number;
  readonly batch: number;
  /** Per-example state shapes. */
  readonly stateShapes: Readonly<Record<string, Shape>>;
  /** Expected size of the per-step output. */
  readonly outputSize: number;
}

/** What one step produced. */
export interface StepResult {
  /** The next value of every state, `[batch, ...stateShape]`. */
  readonly states: Record<string, Tensor>;
  /** The per-step output, `[batch, outputSize]`. */
  readonly output: Tensor;
}

/** "cell 'lstm', step 3" (with the layer when stacked). */
export function stepWhere(cell: Cell, ctx: Pick<StepContext, 'step' | 'layer' | 'layers'>): string {
  return formatScope({ cell: cell.name, ...(ctx.layers > 1 ? { layer: ctx.layer } : {}), step: ctx.step });
}

/** The scope of a step's nodes, as `unroll` sets it on the builder. */
const stepScope = (cell: Cell, ctx: StepContext): NodeScope => ({ cell: cell.name, layer: ctx.layer, step: ctx.step });

/** The prefix the builder gives op errors raised inside the step ("in cell 'gru', layer 0, step 2: "). */
const scopePrefix = (cell: Cell): RegExp => new RegExp(`^in cell '${cell.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'(?:, layer \\d+)?(?:, step \\d+)?: `);

const STEP_PARAMS: RecordRole = { entry: 'parameter', listed: "the cell's parameters are", source: 'declared by params()' };
const STEP_INPUTS: RecordRole = { entry: 'input or state', listed: "the step's inputs and states are", source: 'x, then the states declared by state()' };

/**
 * The CellgradError for error `e` thrown by the step: scoped to the cell, layer and step, with the
 * user's file:line:column and, when the step read a parameter or state that does not exist or
 * misspelt a Tensor method, a message saying so. The original error is its `cause`.
 */
function wrapError(cell: Cell, ctx: StepContext, e: unknown, misses: readonly MissingRead[]): CellgradError {
  const frame = userFrame(e);
  const message = e instanceof Error ? e.message : String(e);
  const missing = relevantMisses(misses, frame, message);
  const readAt = frame ?? missing.find((m) => m.frame)?.frame;
  const at = readAt ? ` (at ${formatFrame(readAt)})` : '';
  let err: CellgradError;
  if (missing.length > 0) {
    err = new CellgradError(
      'cell',
      `in ${formatScope(stepScope(cell, ctx))}${at}: ${missing.map(formatMissing).join('; ')} (the step then failed: ${message})`,
    );
  } else if (e instanceof CellgradError) {
    // Errors raised by an op carry the builder's scope prefix already; others (e.g. a bad reshape
    // caught before the op is applied) get the same prefix here.
    const prefix = scopePrefix(cell).exec(e.message)?.[0];
    if (prefix !== undefined && !frame) return e;
    err =
      prefix !== undefined
        ? new CellgradError(e.kind, `${prefix.slice(0, -2)}${at}: ${e.message.slice(prefix.length)}`)
        : new CellgradError(e.kind, `in ${formatScope(stepScope(cell, ctx))}${at}: ${e.message}`);
  } else {
    const hint = tensorHint(e);
    err = new CellgradError('cell', `${stepWhere(cell, ctx)}${at}: step threw: ${message}${hint ? `: ${hint}` : ''}`);
  }
  err.cause = e;
  return err;
}

/** Run `cell.step` for one time step inside the builder's scope, and check its result. */
export function runStep(cell: Cell, ctx: StepContext, inputs: Record<string, Tensor>, params: Record<string, Tensor>): StepResult {
  let raw: unknown;
  const misses: MissingRead[] = [];
  const stepInputs = watchedRecord(inputs, STEP_INPUTS, misses);
  const stepParams = watchedRecord(params, STEP_PARAMS, misses);
  try {
    raw = withStepStacks(() =>
      ctx.builder.scoped({ cell: cell.name, step: ctx.step, layer: ctx.layer }, () => cell.step(stepInputs as StepInputs, stepParams)),
    );
  } catch (e) {
    throw wrapError(cell, ctx, e, misses);
  }
  const where = stepWhere(cell, ctx);
  const bad: (msg: string) => never = (msg) => {
    // A result made of undefined values is explained by the names the step read that do not exist.
    const missing = /did not return|undefined/.test(msg) ? relevantMisses(misses, undefined, 'undefined') : [];
    throw new CellgradError(
      'cell',
      `${where}: ${msg}${missing.length ? ` (the step read names that do not exist: ${missing.map(formatMissing).join('; ')})` : ''}`,
    );
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    bad(`step must return an object of tensors (the next states), got ${raw === null ? 'null' : typeof raw}`);
  const result = raw as Record<string, unknown>;
  const stateNames = Object.keys(ctx.stateShapes);
  const outputName = cell.output ?? ('y' in result ? 'y' : stateNames[0]!);
  const allowed = new Set([...stateNames, outputName]);
  for (const [key, value] of Object.entries(result)) {
    if (!allowed.has(key)) bad(`step returned '${key}', which is neither a state (${stateNames.join(', ')}) nor the output ('${outputName}')`);
    if (!(value instanceof Tensor)) bad(`step returned '${key}' = ${describe(value)}, not a tensor`);
    if (value.builder !== ctx.builder) bad(`step returned '${key}', a tensor of another graph (tensors cannot cross graphs)`);
  }
  const states: Record<string, Tensor> = {};
  for (const s of stateNames) {
    const t = result[s] as Tensor | undefined;
    if (t === undefined) bad(`step did not return state '${s}' (it must return every state: ${stateNames.join(', ')})`);
    const expected = [ctx.batch, ...ctx.stateShapes[s]!];
    if (!sameShape(t!.shape, expected)) {
      bad(
        `step returned state '${s}' with shape ${formatShape(t!.shape)}, expected ${formatShape(expected)} ([batch, ...state shape ${formatShape(ctx.stateShapes[s]!)}])`,
      );
    }
    states[s] = t!;
  }
  const output = result[outputName] as Tensor | undefined;
  if (output === undefined) bad(`step did not return its output '${outputName}'`);
  const expected = [ctx.batch, ctx.outputSize];
  if (!sameShape(output!.shape, expected)) {
    bad(
      `the per-step output '${outputName}' has shape ${formatShape(output!.shape)}, expected ${formatShape(expected)} ([batch, outputSize]); set the cell's outputSize if it is not the hidden size`,
    );
  }
  return { states, output: output! };
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}
