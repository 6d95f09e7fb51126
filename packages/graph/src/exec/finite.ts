/**
 * Non-finite checking (debug mode): after a node is computed, `checkFinite` looks for NaN and
 * ±Infinity in its value and, at the first one, throws a `NonFiniteError` naming the op, the node,
 * the user's cell and time step (from the node's scope) and the range of every input.
 */
import { CellgradError } from '../ir/errors.js';
import type { Node, NodeScope } from '../ir/node.js';
import { formatShape } from '../ir/shape.js';
import type { NDArray } from '../ir/ndarray.js';
import { formatScope } from '../ir/scope.js';

/** Summary of a tensor's values: finite min/max, and how many elements are NaN or infinite. */
export interface ValueRange {
  /** Smallest finite element (`undefined` when none is finite). */
  readonly min: number | undefined;
  /** Largest finite element (`undefined` when none is finite). */
  readonly max: number | undefined;
  readonly nan: number;
  readonly posInf: number;
  readonly negInf: number;
  readonly size: number;
}

/** What a `NonFiniteError` reports, as data. */
export interface NonFiniteReport {
  readonly node: number;
  readonly op: string;
  readonly shape: readonly number[];
  readonly scope?: NodeScope;
  /** The graph input's name, when the non-finite value was fed rather than computed. */
  readonly input?: string;
  /** Index of the first non-finite element of the node's value, and that value. */
  readonly index: number;
  readonly value: number;
  /** The node's own value range. */
  readonly output: ValueRange;
  /** One range per input of the node, in input order. */
  readonly inputs: readonly ValueRange[];
}

/** The error of the non-finite debug mode (`kind === 'nonfinite'`), with its report as data. */
export class NonFiniteError extends CellgradError {
  readonly report: NonFiniteReport;
  /** The error for `report`, its message starting with `prefix`. */
  constructor(report: NonFiniteReport, prefix = '') {
    super('nonfinite', prefix + formatNonFinite(report));
    this.report = report;
    this.name = 'NonFiniteError';
  }
}

/** The range of `a`'s values. */
export function valueRange(a: NDArray): ValueRange {
  let min: number | undefined;
  let max: number | undefined;
  let nan = 0,
    posInf = 0,
    negInf = 0;
  const d = a.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (Number.isNaN(v)) nan++;
    else if (v === Infinity) posInf++;
    else if (v === -Infinity) negInf++;
    else {
      if (min === undefined || v < min) min = v;
      if (max === undefined || v > max) max = v;
    }
  }
  return { min, max, nan, posInf, negInf, size: d.length };
}

/** Index of the first NaN or ±Infinity of `a`, or -1. */
export function firstNonFinite(a: NDArray): number {
  const d = a.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (!Number.isFinite(v)) return i;
  }
  return -1;
}

/** "min -1.5, max 3, 2 non-finite (1 NaN, 1 +Inf)" */
export function formatRange(r: ValueRange): string {
  const bad = r.nan + r.posInf + r.negInf;
  const span = r.min === undefined ? 'no finite values' : `min ${r.min}, max ${r.max}`;
  if (bad === 0) return `${span}, all finite`;
  const parts = [
    [r.nan, 'NaN'],
    [r.posInf, '+Inf'],
    [r.negInf, '-Inf'],
  ]
    .filter(([n]) => (n as number) > 0)
    .map(([n, s]) => `${n} ${s}`);
  return `${span}, ${bad} non-finite (${parts.join(', ')})`;
}

/** "cell 'lstm', layer 1, step 3, backward pass" (empty when the node has no scope). */
function scopeWithPhase(scope: NodeScope | undefined): string {
  return formatScope(scope, { phase: true });
}

/** One line describing a non-finite report. */
export function formatNonFinite(r: NonFiniteReport): string {
  const where = scopeWithPhase(r.scope);
  const what = r.input !== undefined ? `input '${r.input}' (node %${r.node}) was fed` : `node %${r.node} (${r.op}) produced`;
  const inputs = r.inputs.map((x, k) => `input ${k}: ${formatRange(x)}`).join('; ');
  return (
    `non-finite value: ${what} ${r.value} at flat index ${r.index} of ${formatShape(r.shape)}` +
    `${where ? ` in ${where}` : ''}; output: ${formatRange(r.output)}${inputs ? `; ${inputs}` : ''}`
  );
}

/**
 * The scope of a node's non-finite element: its own scope, with the time step for a `linear_scan`
 * (whose leading axis is time: every step is in one node, so the element's row names the step; a
 * reverse scan's row is the step as well).
 */
function scanScope(node: Node, index: number): NodeScope {
  if (node.op !== 'linear_scan' && node.op !== 'log_linear_scan') return node.scope!;
  const perStep = node.shape.slice(1).reduce((a, d) => a * d, 1);
  return { ...node.scope, step: Math.floor(index / perStep) };
}

/**
 * Throw a `NonFiniteError` if `value` (the value of `node`) holds a NaN or ±Infinity; `inputs` are the
 * node's input values (their ranges go in the report).
 */
export function checkFinite(node: Node, value: NDArray, inputs: readonly NDArray[]): void {
  const index = firstNonFinite(value);
  if (index < 0) return;
  const report: NonFiniteReport = {
    node: node.id,
    op: node.op,
    shape: node.shape,
    ...(node.scope || node.op === 'linear_scan' || node.op === 'log_linear_scan' ? { scope: scanScope(node, index) } : {}),
    ...(node.op === 'input' && typeof node.attrs.name === 'string' ? { input: node.attrs.name } : {}),
    index,
    value: value.data[index]!,
    output: valueRange(value),
    inputs: inputs.map(valueRange),
  };
  throw new NonFiniteError(report);
}
