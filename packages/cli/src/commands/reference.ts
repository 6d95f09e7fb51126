/**
 * `cellgrad reference <file.json>`: run every case of a PyTorch reference-vector file through
 * cellgrad (float64) and print, per tensor, its max relative error and pass/FAIL; exit 1 when any
 * tensor is above the tolerance. Cells other than the built-ins come from `--cells file.ts`.
 */
import type { Command } from 'commander';
import { builtinCells, checkReference, loadReference, type Cell, type ReferenceReport } from '@cellgrad/cells';
import { EXIT, usage } from '../errors.js';
import { existingFile, loadCellFile } from '../loader/load-cell-file.js';
import { nonNegativeNumber } from '../options.js';
import { formatTable, sci } from '../table.js';

/** Parsed options of `reference`. */
export interface ReferenceCommandOptions {
  readonly tolerance: number;
  readonly cells?: string;
  readonly json?: boolean;
}

/** The table of one case's report, with a header and a summary line. */
export function formatReferenceReport(r: ReferenceReport): string {
  const rows = r.comparisons.map((t) => [t.name, `[${t.shape.join(',')}]`, sci(t.maxRelError), t.passed ? 'pass' : `FAIL${t.problem ? ` (${t.problem})` : ''}`]);
  const failed = r.comparisons.filter((t) => !t.passed).length;
  const summary = r.passed
    ? `PASSED: ${r.comparisons.length} tensors within ${r.tolerance} (worst ${r.worst.name}, ${sci(r.worst.maxRelError)})`
    : `FAILED: ${failed} of ${r.comparisons.length} tensors above ${r.tolerance} (worst ${r.worst.name}, ${sci(r.worst.maxRelError)})`;
  return [`reference ${r.cell} (${r.source}): layers ${r.layers}, tolerance ${r.tolerance}`, formatTable(['tensor', 'shape', 'max rel err', 'result'], rows), summary].join('\n');
}

/** The built-in cells plus those of `file`, by cell name and export name. */
async function cellsWith(file: string | undefined): Promise<Record<string, Cell>> {
  const cells: Record<string, Cell> = { ...builtinCells };
  if (file === undefined) return cells;
  for (const { exportName, cell } of await loadCellFile(file)) {
    cells[cell.name] = cell;
    if (exportName !== 'default') cells[exportName] = cell;
  }
  return cells;
}

/** Run the command; returns the exit code. */
export async function runReference(file: string, o: ReferenceCommandOptions): Promise<number> {
  const ref = loadReference(existingFile(file));
  const cells = await cellsWith(o.cells);
  ref.cases.forEach((c, i) => {
    if (!Object.prototype.hasOwnProperty.call(cells, c.cell)) {
      usage(`${file}, case ${i}: cell '${c.cell}' is not a built-in cell (${Object.keys(builtinCells).join(', ')})${o.cells ? ` nor exported by ${o.cells}` : ''}; pass --cells <file.ts> exporting a cell named '${c.cell}'`);
    }
  });
  const reports = ref.cases.map((c) => checkReference(c, { tolerance: o.tolerance, cells }));
  const passed = reports.every((r) => r.passed);
  if (o.json) process.stdout.write(`${JSON.stringify({ passed, reports }, null, 2)}\n`);
  else process.stdout.write(`${reports.map(formatReferenceReport).join('\n\n')}\n`);
  return passed ? EXIT.ok : EXIT.failed;
}

/** Add the `reference` command to `program`. */
export function referenceCommand(program: Command, setExit: (code: number) => void): Command {
  return program
    .command('reference')
    .description('compare cells with a PyTorch reference-vector file (float64); exit 1 above tolerance')
    .argument('<file>', 'a reference .json file (e.g. ../shared/reference/lstm.json)')
    .option('--tolerance <x>', 'largest max relative error that passes', nonNegativeNumber, 1e-9)
    .option('--cells <file>', 'a .ts/.js file exporting the cells the file names, beyond the built-ins')
    .option('--json', 'print the reports as JSON')
    .action(async (target: string, o: ReferenceCommandOptions) => setExit(await runReference(target, o)));
}
