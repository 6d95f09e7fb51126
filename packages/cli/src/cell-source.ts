/**
 * How the command line names a cell — the one spelling every command accepts:
 * - `lstm`: a built-in cell (`cellgrad cells` lists them);
 * - `./my-cells.ts`: every cell a file exports (commands that need one cell ask to choose);
 * - `./my-cells.ts:mgu`: one cell of a file, by export name or by the cell's own name.
 * `parseCellSpec` splits a spec, `resolveCells` loads what it names.
 */
import { existsSync } from 'node:fs';
import { builtinCells, getBuiltinCell, type Cell } from '@cellgrad/cells';
import { usage } from './errors.js';
import { loadCellFile } from './loader/load-cell-file.js';

/** A cell to work on, with a label for headers. */
export interface NamedCell {
  /** The cell's name, and its export name when that differs (`mgu (export minimalGated)`). */
  readonly label: string;
  readonly cell: Cell;
}

/** What a cell spec names: a built-in cell, or a file (all its cells, or the one `pick` names). */
export type CellSpec = { readonly kind: 'builtin'; readonly name: string } | { readonly kind: 'file'; readonly file: string; readonly pick?: string };

/** True when `arg` looks like a path rather than a built-in cell's name. */
export function looksLikePath(arg: string): boolean {
  return /[\\/]/.test(arg) || /\.[a-z]+$/i.test(arg);
}

/** `FILE:EXPORT`: a path ending in an extension, a colon, an identifier (a Windows drive `C:\` never matches). */
const FILE_AND_EXPORT = /^(.+\.[a-z]+):([A-Za-z_$][\w$]*)$/i;

/**
 * Split a cell spec: `lstm`, `cells.ts` or `cells.ts:mgu`. A path that exists as given is a file
 * even when it contains a colon.
 * @example
 * parseCellSpec('./cells.ts:mgu'); // { kind: 'file', file: './cells.ts', pick: 'mgu' }
 */
export function parseCellSpec(spec: string): CellSpec {
  if (spec.trim() === '') usage('empty cell name: give a built-in cell name, a .ts/.js file, or FILE:EXPORT');
  if (!existsSync(spec)) {
    const m = FILE_AND_EXPORT.exec(spec);
    if (m) return { kind: 'file', file: m[1]!, pick: m[2]! };
  }
  return looksLikePath(spec) ? { kind: 'file', file: spec } : { kind: 'builtin', name: spec };
}

/** The file a spec reads (for output-path checks), or undefined for a built-in cell. */
export function specFile(spec: string): string | undefined {
  const s = parseCellSpec(spec);
  return s.kind === 'file' ? s.file : undefined;
}

function builtin(name: string): NamedCell {
  if (!Object.hasOwn(builtinCells, name)) {
    const names = Object.keys(builtinCells).join(', ');
    usage(`unknown cell '${name}': not a built-in cell (${names}), a path to a .ts/.js file, nor FILE:EXPORT`);
  }
  return { label: name, cell: getBuiltinCell(name) };
}

/**
 * The cells `spec` names: the built-in cell of that name, every cell a file exports, or the one
 * cell `FILE:NAME` picks (by export name or cell name; a usage error listing the file's cells when
 * none matches).
 */
export async function resolveCells(spec: string): Promise<NamedCell[]> {
  const s = parseCellSpec(spec);
  if (s.kind === 'builtin') return [builtin(s.name)];
  const found = await loadCellFile(s.file);
  const all = found.map(({ exportName, cell }) => ({
    exportName,
    label: exportName === cell.name || exportName === 'default' ? cell.name : `${cell.name} (export ${exportName})`,
    cell,
  }));
  if (s.pick === undefined) return all.map(({ label, cell }) => ({ label, cell }));
  const chosen = all.find((c) => c.exportName === s.pick || c.cell.name === s.pick);
  if (chosen === undefined) {
    const listed = all.map((c) => (c.exportName === c.cell.name ? c.cell.name : `${c.cell.name} as ${c.exportName}`)).join(', ');
    usage(`${spec}: ${s.file} exports no cell '${s.pick}' (cells: ${listed})`);
  }
  return [{ label: chosen.label, cell: chosen.cell }];
}

/** The one cell `spec` names; a file exporting several is a usage error asking for `FILE:EXPORT`. */
export async function resolveOneCell(spec: string): Promise<NamedCell> {
  const cells = await resolveCells(spec);
  if (cells.length > 1) {
    usage(`${spec} exports ${cells.length} cells (${cells.map((c) => c.label).join(', ')}); choose one as ${spec}:NAME`);
  }
  return cells[0]!;
}
