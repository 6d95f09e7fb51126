/**
 * Checks of numeric arrays read back from saved training state (checkpoints, optimizer states) and
 * of live ones during training: each answer is a phrase naming the field and the first bad entry
 * ("holds null at index 2, expected a finite number"), or undefined when the values are fine.
 */

/** How a value read from JSON shows in a message: strings quoted, numbers and null as written. */
export function describeValue(v: unknown): string {
  if (typeof v === 'number' || v === null) return String(v);
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return JSON.stringify(v) ?? typeof v;
}

/** Options of `finiteArrayProblem`. */
export interface FiniteArrayOptions {
  /** Entries must also be ≥ 0 (second moments, square averages). */
  readonly nonNegative?: boolean;
}

/**
 * What is wrong with `values` as an array of finite numbers, phrased after `field`
 * (e.g. `parameter 'W' holds null at index 2, expected a finite number ...`), or undefined.
 */
export function finiteArrayProblem(field: string, values: unknown, options: FiniteArrayOptions = {}): string | undefined {
  if (!Array.isArray(values)) return `${field} is not an array of numbers (got ${describeValue(values)})`;
  for (let i = 0; i < values.length; i++) {
    const x: unknown = values[i];
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      const saved = x === null ? ' (NaN and ±Infinity are saved as null)' : '';
      return `${field} holds ${describeValue(x)} at index ${i}, expected a finite number${saved}`;
    }
    if (options.nonNegative && x < 0) return `${field} holds ${x} at index ${i}; it must be non-negative`;
  }
  return undefined;
}

/** The number of NaN and ±Infinity entries of `values`. */
export function countNonFinite(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) n++;
  return n;
}

/** The first entry of `tensors` holding NaN or ±Infinity, with how many such values it holds. */
export function firstNonFinite(tensors: Record<string, ArrayLike<number>>): { readonly name: string; readonly count: number } | undefined {
  for (const [name, v] of Object.entries(tensors)) {
    const count = countNonFinite(v);
    if (count > 0) return { name, count };
  }
  return undefined;
}

/** `3 non-finite values` / `1 non-finite value`. */
export const nonFiniteText = (n: number): string => `${n} non-finite value${n === 1 ? '' : 's'}`;

/** True when `o` is a plain object (not null, not an array). */
export const isRecord = (o: unknown): o is Record<string, unknown> => typeof o === 'object' && o !== null && !Array.isArray(o);

/** `o[key]` when `o` has it as its own property (never an inherited `constructor` or `__proto__`). */
export const own = (o: Record<string, unknown>, key: string): unknown => (Object.hasOwn(o, key) ? o[key] : undefined);
