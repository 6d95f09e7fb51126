/**
 * What a command's `<cell>` argument names: a built-in cell (`lstm`) or a file exporting cells
 * (`./my-cell.ts`). `--cell NAME` picks one of several exported cells, by export or cell name.
 */
import { builtinCells, getBuiltinCell, type Cell } from '@cellgrad/cells';
import { usage } from './errors.js';
import { loadCellFile } from './loader/load-cell-file.js';

/** A cell to work on, with a label for headers. */
export interface NamedCell {
  /** The cell's name, and its export name when that differs (`mgu (export minimalGated)`). */
  readonly label: string;
  readonly cell: Cell;
}

/** True when `arg` looks like a path rather than a built-in cell's name. */
export function looksLikePath(arg: string): boolean {
  return /[\\/]/.test(arg) || /\.[a-z]+$/i.test(arg);
}

/**
 * The cells `arg` names: the built-in cell of that name, or the cells exported by that file (all
 * of them, or the one `pick` names).
 */
export async function resolveCells(arg: string, pick?: string): Promise<NamedCell[]> {
  if (!looksLikePath(arg)) {
    if (pick !== undefined) usage(`--cell chooses among the cells of a file; '${arg}' is a built-in cell`);
    if (!Object.hasOwn(builtinCells, arg)) {
      usage(`unknown cell '${arg}': not a built-in cell (${Object.keys(builtinCells).join(', ')}) nor a path to a .ts/.js file`);
    }
    return [{ label: arg, cell: getBuiltinCell(arg) }];
  }
  const found = await loadCellFile(arg);
  const all = found.map(({ exportName, cell }) => ({
    exportName,
    label: exportName === cell.name || exportName === 'default' ? cell.name : `${cell.name} (export ${exportName})`,
    cell,
  }));
  if (pick === undefined) return all;
  const chosen = all.filter((c) => c.exportName === pick || c.cell.name === pick);
  if (chosen.length === 0) {
    usage(`--cell ${pick}: ${arg} exports no such cell (cells: ${all.map((c) => (c.exportName === c.cell.name ? c.cell.name : `${c.cell.name} as ${c.exportName}`)).join(', ')})`);
  }
  return chosen.slice(0, 1);
}
