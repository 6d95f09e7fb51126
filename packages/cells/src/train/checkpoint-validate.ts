/**
 * Validation of a training snapshot (a checkpoint file's content) in two stages. `validateSnapshot`
 * checks what any snapshot must be: format and version, a non-negative integer iteration, every
 * parameter and optimizer buffer an array of finite numbers (second moments non-negative), a
 * non-negative integer optimizer step, one finite loss per iteration. `checkSnapshotFits` checks it
 * against the run resuming it: exactly the model's parameters with their sizes, the optimizer's kind,
 * every buffer it keeps for every parameter at the parameter's size, and a step count consistent with
 * the iteration. Every error is a usage CellgradError naming the source and the field, e.g.
 * `checkpoint run.json: optimizer buffer 'v.W' has 12 values, expected 48 (parameter W [4,12])`.
 */
import { CellgradError, type Shape } from '@cellgrad/graph';
import { bufferField, optimizerStateProblem, type BufferLayout } from './optimizer-state.js';
import { describeValue, finiteArrayProblem, isRecord, own } from './saved-values.js';
import type { TrainerSnapshot } from './trainer.js';

/** What the resuming run expects of a snapshot. */
export interface SnapshotExpectation {
  /** The model's parameters and their shapes. */
  readonly params: Readonly<Record<string, Shape>>;
  /** The optimizer's kind and the buffers it keeps per parameter. */
  readonly optimizer: BufferLayout;
  /** Optimizer steps per iteration (1, or the number of windows of per-window truncated BPTT). */
  readonly updatesPerIteration: number;
}

const sizeOf = (shape: Shape): number => shape.reduce((a, d) => a * d, 1);
const shapeText = (shape: Shape): string => `[${shape.join(',')}]`;
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Check that `data` is a well-formed training snapshot with only finite values; returns it typed.
 * Throws a usage CellgradError `<source>: <what is wrong>` otherwise.
 *
 * @example
 * validateSnapshot(JSON.parse(text), 'checkpoint run.json');
 */
export function validateSnapshot(data: unknown, source: string): TrainerSnapshot {
  const bad = (what: string): never => {
    throw new CellgradError('usage', `${source}: ${what}`);
  };
  if (!isRecord(data) || data.format !== 'cellgrad-train') {
    bad(`not a cellgrad training checkpoint (format ${JSON.stringify(isRecord(data) ? data.format : undefined)})`);
  }
  const d = data as Record<string, unknown>;
  if (d.version !== 1) bad(`unsupported version ${JSON.stringify(d.version)} (expected 1)`);
  const iteration = d.iteration;
  if (typeof iteration !== 'number' || !Number.isSafeInteger(iteration) || iteration < 0) {
    bad(`'iteration' must be a non-negative integer, got ${describeValue(iteration)}`);
  }
  if (typeof d.fingerprint !== 'string') bad("missing 'fingerprint'");
  if (!isRecord(d.params)) bad("'params' is missing or not an object");
  for (const [p, v] of Object.entries(d.params as Record<string, unknown>)) {
    const problem = finiteArrayProblem(`parameter '${p}'`, v);
    if (problem) bad(problem);
  }
  if (!isRecord(d.optimizer)) bad("'optimizer' is missing or not an object");
  const optimizerProblem = optimizerStateProblem(d.optimizer);
  if (optimizerProblem) bad(`optimizer ${optimizerProblem}`);
  if (!Array.isArray(d.losses) || d.losses.length !== iteration) {
    bad(`'losses' must hold one loss per iteration: ${Array.isArray(d.losses) ? d.losses.length : 'none'} for ${plural(iteration as number, 'iteration')}`);
  }
  const lossProblem = finiteArrayProblem("'losses'", d.losses);
  if (lossProblem) bad(lossProblem);
  if (typeof d.seconds !== 'number' || !Number.isFinite(d.seconds) || d.seconds < 0) {
    bad(`'seconds' must be a finite non-negative number, got ${describeValue(d.seconds)}`);
  }
  return data as unknown as TrainerSnapshot;
}

/**
 * Check a validated `snapshot` against what the resuming run expects (parameters, optimizer
 * buffers, step count). Throws a usage CellgradError `<source>: <what is wrong>`.
 */
export function checkSnapshotFits(snapshot: TrainerSnapshot, expected: SnapshotExpectation, source: string): void {
  const bad = (what: string): never => {
    throw new CellgradError('usage', `${source}: ${what}`);
  };
  const params = snapshot.params as Record<string, unknown>;
  for (const [p, shape] of Object.entries(expected.params)) {
    const saved = own(params, p) as number[] | undefined;
    if (saved === undefined) bad(`parameter '${p}' is missing (expected ${sizeOf(shape)} values, shape ${shapeText(shape)})`);
    else if (saved.length !== sizeOf(shape)) bad(`parameter '${p}' has ${saved.length} values, expected ${sizeOf(shape)} (shape ${shapeText(shape)})`);
  }
  for (const p of Object.keys(params)) {
    if (!Object.hasOwn(expected.params, p)) bad(`unknown parameter '${p}' (the model has ${Object.keys(expected.params).join(', ')})`);
  }

  const { kind, step, buffers } = snapshot.optimizer;
  const layout = expected.optimizer;
  if (kind !== layout.kind) bad(`optimizer kind '${kind}', expected '${layout.kind}'`);
  const perIteration = expected.updatesPerIteration;
  const steps = snapshot.iteration * perIteration;
  if (step !== steps) {
    const rate = perIteration === 1 ? 'one update per iteration' : `${perIteration} updates per iteration, one per BPTT window`;
    bad(`optimizer 'step' is ${step}, expected ${steps} (${rate}, ${plural(snapshot.iteration, 'iteration')})`);
  }
  const saved = buffers as Record<string, Record<string, unknown>>;
  for (const p of Object.keys(saved)) {
    if (!Object.hasOwn(expected.params, p)) bad(`optimizer buffers of unknown parameter '${p}'`);
  }
  if (step === 0 || layout.names.length === 0) {
    const problem = optimizerStateProblem(snapshot.optimizer, layout);
    if (problem) bad(`optimizer ${problem}`);
    return;
  }
  for (const [p, shape] of Object.entries(expected.params)) {
    const mine = own(saved, p) as Record<string, unknown> | undefined;
    if (mine === undefined) bad(`optimizer buffers of parameter '${p}' are missing (expected ${layout.names.join(', ')})`);
    for (const name of layout.names) {
      const values = own(mine!, name) as unknown[] | undefined;
      if (values === undefined) bad(`optimizer buffer ${bufferField(name, p)} is missing`);
      else if (values.length !== sizeOf(shape)) {
        bad(`optimizer buffer ${bufferField(name, p)} has ${values.length} values, expected ${sizeOf(shape)} (parameter ${p} ${shapeText(shape)})`);
      }
    }
  }
  const problem = optimizerStateProblem(snapshot.optimizer, layout); // unknown buffer names
  if (problem) bad(`optimizer ${problem}`);
}
