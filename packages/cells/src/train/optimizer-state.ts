/**
 * Validation of a saved optimizer state (`{ kind, step, buffers }`) before anything uses it: the
 * step a non-negative integer, every buffer an array of finite numbers (second moments and square
 * averages non-negative), no buffers before the first update, and — when the optimizer's layout is
 * known — exactly its buffer names per parameter, of one length. Problems are phrases such as
 * `buffer 'v.W' holds -1 at index 0; it must be non-negative`, which callers prefix with where the
 * state came from.
 */
import { describeValue, finiteArrayProblem, isRecord, own } from './saved-values.js';

/** Buffers whose entries are running averages of squares, so never negative. */
export const NON_NEGATIVE_BUFFERS: ReadonlySet<string> = new Set(['v', 'square_avg']);

/** The buffers an optimizer keeps for every parameter once it has stepped. */
export interface BufferLayout {
  readonly kind: string;
  readonly names: readonly string[];
}

/** `'v.W'`: buffer `v` of parameter `W`, as messages name it. */
export const bufferField = (buffer: string, param: string): string => `'${buffer}.${param}'`;

const keeps = (layout: BufferLayout): string => `${layout.kind} keeps ${layout.names.length ? layout.names.join(', ') : 'no buffers'}`;

/**
 * What is wrong with `state` as an optimizer state (with `layout`, also checks the buffer names and
 * that each parameter's buffers have one length), or undefined when it is sound.
 */
export function optimizerStateProblem(state: unknown, layout?: BufferLayout): string | undefined {
  if (!isRecord(state)) return `expected an object with kind, step and buffers, got ${describeValue(state)}`;
  if (typeof state.kind !== 'string') return `'kind' must be a string, got ${describeValue(state.kind)}`;
  const step = state.step;
  if (typeof step !== 'number' || !Number.isSafeInteger(step) || step < 0) return `'step' must be a non-negative integer, got ${describeValue(step)}`;
  const buffers = state.buffers;
  if (!isRecord(buffers)) return "'buffers' is missing or not an object";
  const params = Object.keys(buffers);
  if (step === 0 && params.length > 0) return 'step 0 (no update yet) cannot have buffers';
  for (const param of params) {
    const perParam = buffers[param];
    if (!isRecord(perParam)) return `buffers of parameter '${param}' are not an object of named buffers`;
    for (const [name, values] of Object.entries(perParam)) {
      if (layout && !layout.names.includes(name)) return `unknown buffer ${bufferField(name, param)} (${keeps(layout)})`;
      const problem = finiteArrayProblem(`buffer ${bufferField(name, param)}`, values, { nonNegative: NON_NEGATIVE_BUFFERS.has(name) });
      if (problem) return problem;
    }
    if (!layout) continue;
    let first: { name: string; length: number } | undefined;
    for (const name of layout.names) {
      const values = own(perParam, name);
      if (values === undefined) return `buffer ${bufferField(name, param)} is missing`;
      const length = (values as unknown[]).length;
      if (!first) first = { name, length };
      else if (length !== first.length) return `buffer ${bufferField(name, param)} has ${length} values, ${bufferField(first.name, param)} has ${first.length}`;
    }
  }
  return undefined;
}
