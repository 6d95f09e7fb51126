/**
 * Loading a user's cell file (.ts, .mts, .js, .mjs) without a build step, and finding the cells it
 * exports: the default export and every named export made with `defineCell`.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CellgradError, isCellgradError } from '@cellgrad/graph';
import { isCell, type Cell } from '@cellgrad/cells';
import { usage } from '../errors.js';
import { installCellLoader } from './register.js';

/** A cell found in a file, with the name it is exported under (`default` for the default export). */
export interface ExportedCell {
  readonly exportName: string;
  readonly cell: Cell;
}

/** Extensions of files the CLI loads as cell modules. */
export const CELL_FILE = /\.(?:[mc]?ts|tsx|[mc]?js|jsx)$/i;

/** The absolute path of `file`, after checking it exists and is a file. */
export function existingFile(file: string): string {
  const abs = path.resolve(file);
  if (!existsSync(abs)) usage(`no such file: ${abs}`);
  if (!statSync(abs).isFile()) usage(`not a file: ${abs}`);
  return abs;
}

function describeExport(name: string, value: unknown): string {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return `${name} (${kind})`;
}

/** Import `file` (TypeScript compiled on the fly, `cellgrad` imports mapped to this installation). */
async function importModule(abs: string): Promise<Record<string, unknown>> {
  const url = pathToFileURL(abs).href;
  await installCellLoader([url]);
  try {
    return (await import(url)) as Record<string, unknown>;
  } catch (e) {
    if (isCellgradError(e)) throw e;
    const message = e instanceof Error ? e.message : String(e);
    const err = new CellgradError('cell', `cannot load ${abs}: ${message}`);
    err.cause = e;
    throw err;
  }
}

/**
 * The cells exported by the module at `file` (a cell exported under two names is listed once, under
 * its first name). Throws a usage error naming the file and listing its exports when there is none.
 */
export async function loadCellFile(file: string): Promise<ExportedCell[]> {
  const abs = existingFile(file);
  if (!CELL_FILE.test(abs)) usage(`cannot load ${abs}: expected a .ts, .mts, .js or .mjs file exporting a cell`);
  const mod = await importModule(abs);
  const names = Object.keys(mod).sort((a, b) => (a === 'default' ? -1 : b === 'default' ? 1 : 0));
  const found: ExportedCell[] = [];
  for (const exportName of names) {
    const value = mod[exportName];
    if (isCell(value) && !found.some((f) => f.cell === value)) found.push({ exportName, cell: value });
  }
  if (found.length === 0) {
    const listed = names.map((n) => describeExport(n, mod[n])).join(', ');
    usage(`${abs} exports no cell made with defineCell (it exports: ${listed || 'nothing'})`);
  }
  return found;
}
