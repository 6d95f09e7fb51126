/**
 * Where in the user's own code an error was thrown: the first frame of its stack outside cellgrad's
 * packages (and outside node_modules and Node's internals). Under tsx or vitest the stack of a
 * TypeScript file already carries source-mapped positions, so the line is the one in the .ts file.
 */
// Plain string and URL handling, no node:path or node:url, so the cells package still bundles for a browser.

/** A position in a source file. */
export interface SourceFrame {
  /** Absolute path of the file. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** A path with forward slashes, for comparisons (Windows paths use backslashes in stacks). */
const slashed = (file: string): string => file.replace(/\\/g, '/');

/** The path of a `file://` URL (a Windows drive letter loses its leading slash), or undefined. */
function urlPath(url: string): string | undefined {
  try {
    const p = decodeURIComponent(new URL(url.replace(/[?#].*$/, '')).pathname);
    return /^\/[A-Za-z]:\//.test(p) ? p.slice(1) : p;
  } catch {
    return undefined;
  }
}

/** `relative` resolved against this module's URL, or undefined where that URL has no hierarchy (a `data:` or `blob:` bundle). */
function besideThisModule(relative: string): string | undefined {
  try {
    return new URL(relative, import.meta.url).href;
  } catch {
    return undefined;
  }
}

/** The folder holding cellgrad's packages (`packages/` in the workspace, `node_modules/@cellgrad/` installed), ending in `/`. */
const CELLGRAD_PACKAGES = urlPath(besideThisModule('../../..') ?? '') ?? '\0';

/** True when `file` belongs to cellgrad itself, a dependency or Node. */
function isLibraryFile(file: string): boolean {
  return slashed(file).startsWith(CELLGRAD_PACKAGES) || file.split(/[\\/]/).includes('node_modules');
}

/** The `file:line:column` of one `    at …` line, or undefined for native, eval and internal frames. */
function frameLocation(line: string): SourceFrame | undefined {
  const body = line.replace(/^\s*at\s+/, '');
  if (body.includes('(eval at ')) return undefined;
  const inParens = /\(([^()]*)\)$/.exec(body);
  const where = inParens ? inParens[1]! : body.replace(/^async\s+/, '');
  const m = /^(.*):(\d+):(\d+)$/.exec(where);
  if (!m) return undefined;
  let file = m[1]!;
  if (file.startsWith('file://')) {
    const p = urlPath(file);
    if (p === undefined) return undefined;
    file = p;
  }
  if (!/^(\/|[A-Za-z]:[\\/])/.test(file)) return undefined;
  return { file, line: Number(m[2]), column: Number(m[3]) };
}

/** The file of cellgrad's own `runStep`: frames from there outward are the caller's, not the step's. */
const STEP_CALLER = urlPath(besideThisModule(`../step${/\.[cm]?[jt]s$/.exec(import.meta.url)?.[0] ?? '.js'}`) ?? '');

/**
 * Stack depth kept while a step runs (`withStepStacks`), so an error thrown in it keeps the frame of
 * `runStep` below the user's frames even under a deep caller (a test runner, say).
 */
export const STEP_STACK_LIMIT = 64;

/** Run `fn` with `Error.stackTraceLimit` at least `STEP_STACK_LIMIT`. */
export function withStepStacks<T>(fn: () => T): T {
  const saved = Error.stackTraceLimit;
  Error.stackTraceLimit = Math.max(saved, STEP_STACK_LIMIT);
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = saved;
  }
}

/**
 * The first frame of `error`'s stack that is the user's code and runs inside a cell's step (frames
 * from cellgrad's `runStep` outward are the code that called `unroll`, not the step), or undefined:
 * no stack, thrown inside cellgrad (a built-in cell) or a dependency, or an error object created
 * outside the step (its stack never passes through `runStep`, and is not cut short by a deep
 * recursion inside the step).
 * @example
 * userFrame(e) // { file: '/home/me/my-cell.ts', line: 9, column: 19 }
 */
export function userFrame(error: unknown): SourceFrame | undefined {
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : undefined;
  if (!stack) return undefined;
  const lines = stack.split('\n').filter((l) => /^\s*at\s/.test(l));
  const frames = lines.map(frameLocation);
  const stepEnd = frames.findIndex((f) => f !== undefined && slashed(f.file) === STEP_CALLER);
  const truncated = lines.length >= STEP_STACK_LIMIT;
  if (stepEnd < 0 && !truncated) return undefined;
  return frames.slice(0, stepEnd < 0 ? undefined : stepEnd).find((f): f is SourceFrame => f !== undefined && !isLibraryFile(f.file));
}

/** "/home/me/my-cell.ts:9:19" */
export function formatFrame(frame: SourceFrame): string {
  return `${frame.file}:${frame.line}:${frame.column}`;
}
