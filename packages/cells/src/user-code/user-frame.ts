/**
 * Where in the user's own code an error was thrown: the first frame of its stack outside cellgrad's
 * packages (and outside node_modules and Node's internals). Under tsx or vitest the stack of a
 * TypeScript file already carries source-mapped positions, so the line is the one in the .ts file.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A position in a source file. */
export interface SourceFrame {
  /** Absolute path of the file. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** The folder holding cellgrad's packages (`packages/` in the workspace, `node_modules/@cellgrad/` installed). */
const CELLGRAD_PACKAGES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** True when `file` belongs to cellgrad itself, a dependency or Node. */
function isLibraryFile(file: string): boolean {
  return file.startsWith(CELLGRAD_PACKAGES + path.sep) || file.split(/[\\/]/).includes('node_modules');
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
    try {
      file = fileURLToPath(file.replace(/[?#].*$/, ''));
    } catch {
      return undefined;
    }
  }
  if (!path.isAbsolute(file)) return undefined;
  return { file, line: Number(m[2]), column: Number(m[3]) };
}

/**
 * The first frame of `error`'s stack that is the user's code, or undefined (no stack, or thrown
 * entirely inside cellgrad or a dependency).
 * @example
 * userFrame(e) // { file: '/home/me/my-cell.ts', line: 9, column: 19 }
 */
export function userFrame(error: unknown): SourceFrame | undefined {
  const stack = error instanceof Error && typeof error.stack === 'string' ? error.stack : undefined;
  if (!stack) return undefined;
  for (const line of stack.split('\n')) {
    if (!/^\s*at\s/.test(line)) continue;
    const frame = frameLocation(line);
    if (frame && !isLibraryFile(frame.file)) return frame;
  }
  return undefined;
}

/** "/home/me/my-cell.ts:9:19" */
export function formatFrame(frame: SourceFrame): string {
  return `${frame.file}:${frame.line}:${frame.column}`;
}
