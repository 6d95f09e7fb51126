/** The options of `unroll` (and of the helpers that describe or feed an unrolled graph), validated. */
import { CellgradError, type DType } from '@cellgrad/graph';
import type { Cell } from './cell.js';
import { isCell } from './define-cell.js';

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
}

/** `UnrollOptions` with every default filled in. */
export type ResolvedUnrollOptions = Required<UnrollOptions>;

const SIZE_KEYS = ['input', 'hidden', 'batch', 'steps', 'layers'] as const;

/**
 * Check `cell` and `options` (positive integer sizes, a known dtype) and fill in the defaults.
 * `fn` names the calling function in error messages.
 */
export function resolveUnrollOptions(cell: Cell, options: UnrollOptions, fn = 'unroll'): ResolvedUnrollOptions {
  if (!isCell(cell)) throw new CellgradError('usage', `${fn}: the first argument must be a cell made by defineCell (or a built-in cell), got ${describe(cell)}`);
  if (typeof options !== 'object' || options === null) {
    throw new CellgradError('usage', `${fn}(cell '${cell.name}'): options must be an object { input, hidden, batch, steps, dtype?, layers? }`);
  }
  const resolved = { dtype: 'float32' as DType, layers: 1, ...options };
  for (const key of SIZE_KEYS) {
    const v = resolved[key];
    if (!Number.isInteger(v) || (v as number) <= 0) {
      throw new CellgradError('usage', `${fn}(cell '${cell.name}'): option '${key}' must be a positive integer, got ${JSON.stringify(v)}`);
    }
  }
  if (resolved.dtype !== 'float32' && resolved.dtype !== 'float64') {
    throw new CellgradError('usage', `${fn}(cell '${cell.name}'): unknown dtype ${JSON.stringify(resolved.dtype)} (expected "float32" or "float64")`);
  }
  const known = new Set<string>([...SIZE_KEYS, 'dtype']);
  const unknown = Object.keys(options).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new CellgradError('usage', `${fn}(cell '${cell.name}'): unknown option(s) ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${[...known].join(', ')})`);
  }
  return { input: resolved.input, hidden: resolved.hidden, batch: resolved.batch, steps: resolved.steps, dtype: resolved.dtype, layers: resolved.layers };
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (typeof x === 'object') return 'an object that is not a cell';
  return typeof x;
}
