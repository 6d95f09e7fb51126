/**
 * The user's cell source in the browser: TypeScript is transpiled by sucrase (types stripped,
 * imports turned into `require` calls; line numbers are kept), then evaluated with cellgrad's API
 * as the module every import resolves to. Errors become diagnostics at the line they point to: a
 * syntax error at its position, a runtime or tracing error at the first stack frame in the cell.
 */
import { transform } from 'sucrase';
import type { CellDiagnostic } from './protocol.js';

/** The name the user's code runs under in stack traces. */
export const CELL_FILE = 'cell.ts';

/** The import specifiers the cell may use; each gives the whole API. */
const MODULES = new Set(['cellgrad', '@cellgrad/graph', '@cellgrad/autodiff', '@cellgrad/cells']);

/** An error that already knows where in the cell it belongs. */
export class CellSourceError extends Error {
  constructor(readonly diagnostics: readonly CellDiagnostic[]) {
    super(diagnostics.map((d) => `line ${d.line}: ${d.message}`).join('\n'));
  }
}

/** A syntax error from sucrase (it carries `pos` and `loc`). */
interface ParseError extends Error {
  readonly pos?: number;
  readonly loc?: { readonly line: number; readonly column: number };
}

/** Transpile `code`; a syntax error becomes a CellSourceError at its position. */
export function transpile(code: string): string {
  try {
    return transform(code, { transforms: ['typescript', 'imports'], filePath: CELL_FILE }).code;
  } catch (e) {
    const err = e as ParseError;
    const line = err.loc?.line ?? 1;
    const message = `syntax error: ${err.message.replace(/\s*\(\d+:\d+\)\s*$/, '')}`;
    throw new CellSourceError([{ line, ...(err.pos !== undefined ? { offset: err.pos } : {}), message }]);
  }
}

/** Evaluate transpiled code with `api` as every cellgrad import; returns the module's exports. */
export function evaluate(js: string, api: Record<string, unknown>): Record<string, unknown> {
  const exports: Record<string, unknown> = {};
  const require = (name: string): unknown => {
    if (MODULES.has(name)) return api;
    throw new Error(`the playground provides only 'cellgrad' (and @cellgrad/graph, /autodiff, /cells) to import, not '${name}'`);
  };
  // One wrapper line: the function header shares line 1 with the code, so stack lines are the cell's.
  const wrapped = `(function (require, exports) {${js}\n})\n//# sourceURL=${CELL_FILE}`;
  // Indirect eval: the code sees the global scope only, not this module's. Running the researcher's own cell is the point.
  // biome-ignore lint/security/noGlobalEval: running the researcher's own cell is the playground's purpose
  const fn = globalThis.eval(wrapped) as (req: typeof require, exp: typeof exports) => void;
  fn(require, exports);
  return exports;
}

/**
 * The first `cell.ts:line` in the stack of `error` or of its causes. The line is the source's
 * (sucrase keeps lines); the column is not (imported names are rewritten), so it is left out.
 */
export function cellLocation(error: unknown): { line: number } | undefined {
  const re = new RegExp(`${CELL_FILE.replace('.', '\\.')}:(\\d+):\\d+`);
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    const m = typeof e.stack === 'string' ? re.exec(e.stack) : null;
    if (m) return { line: Number(m[1]) };
  }
  return undefined;
}

/** Diagnostics for any error thrown while evaluating or tracing the cell (line 1 when no frame is in the cell). */
export function diagnosticsOf(error: unknown): CellDiagnostic[] {
  if (error instanceof CellSourceError) return [...error.diagnostics];
  const where = cellLocation(error) ?? { line: 1 };
  const kind = error instanceof Error ? (error as { kind?: unknown }).kind : undefined;
  const prefix = typeof kind === 'string' ? `${kind} error: ` : error instanceof Error && error.name !== 'Error' ? `${error.name}: ` : '';
  const message = `${prefix}${error instanceof Error ? error.message : String(error)}`;
  return [{ ...where, message }];
}
