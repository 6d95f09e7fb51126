/**
 * Typed errors. Every failure cellgrad reports on purpose is a `CellgradError` with a `kind`, so
 * callers (the CLI, tests, fuzzers) can tell a user mistake from a bug.
 */

/** The kinds of error cellgrad raises on purpose. */
export type ErrorKind =
  | 'shape' // an op's shape rule rejected its inputs
  | 'dtype' // inputs of different dtypes, or a dtype cellgrad does not know
  | 'feed' // a missing, extra or mis-shaped feed
  | 'graph' // a malformed graph: bad ids, cycles, unknown ops, bad attrs
  | 'gradient' // an op with no VJP on the path of a gradient
  | 'op' // a bad op definition
  | 'cell' // a bad cell definition or unroll option
  | 'usage' // a bad argument to a public function
  | 'nonfinite' // a node produced NaN or ±Infinity while checking for it (debug mode)
  | 'io'; // a file could not be written or locked (disk full, permissions, a directory in the way, another process)

/** Base class of every deliberate cellgrad error. */
export class CellgradError extends Error {
  readonly kind: ErrorKind;
  /** An error of `kind` (shape, dtype, feed, ...) with a message naming what is wrong and where. */
  constructor(kind: ErrorKind, message: string) {
    super(message);
    this.kind = kind;
    this.name = 'CellgradError';
  }
}

/** Throw a `CellgradError` of the given kind. */
export function fail(kind: ErrorKind, message: string): never {
  throw new CellgradError(kind, message);
}

/** True when `e` is a cellgrad error (of the given kind, if named). */
export function isCellgradError(e: unknown, kind?: ErrorKind): e is CellgradError {
  return e instanceof CellgradError && (kind === undefined || e.kind === kind);
}
