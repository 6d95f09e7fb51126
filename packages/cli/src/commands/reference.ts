/**
 * `cellgrad reference <file.json|dir>...`: run every case of PyTorch reference-vector files through
 * cellgrad (float64) and print, per tensor, its max relative error and pass/FAIL; exit 1 when any
 * tensor is above the tolerance. Every cell of ../shared/reference is built in; other cells come
 * from `--cells file.ts`. A directory stands for its .json files; several files end with a summary.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { builtinCells, checkReference, type Cell, type ReferenceReport } from '@cellgrad/cells';
import { loadReference } from '@cellgrad/cells/node';
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
  const rows = r.comparisons.map((t) => [
    t.name,
    `[${t.shape.join(',')}]`,
    sci(t.maxRelError),
    t.passed ? 'pass' : `FAIL${t.problem ? ` (${t.problem})` : ''}`,
  ]);
  const failed = r.comparisons.filter((t) => !t.passed).length;
  const summary = r.passed
    ? `PASSED: ${r.comparisons.length} tensors within ${r.tolerance} (worst ${r.worst.name}, ${sci(r.worst.maxRelError)})`
    : `FAILED: ${failed} of ${r.comparisons.length} tensors above ${r.tolerance} (worst ${r.worst.name}, ${sci(r.worst.maxRelError)})`;
  return [
    `reference ${r.cell} (${r.source}): layers ${r.layers}, tolerance ${r.tolerance}`,
    formatTable(['tensor', 'shape', 'max rel err', 'result'], rows),
    summary,
  ].join('\n');
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

/** The files `targets` name: files as given, directories replaced by their .json files (sorted). */
export function referenceFiles(targets: readonly string[]): string[] {
  return targets.flatMap((t) => {
    let dir = false;
    try {
      dir = statSync(t).isDirectory();
    } catch {
      return [existingFile(t)];
    }
    if (!dir) return [existingFile(t)];
    const files = readdirSync(t)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => path.join(t, f));
    if (files.length === 0) usage(`${t}: a directory without .json reference files`);
    return files;
  });
}

/** One line per case: file, cell, layers, worst tensor and error, pass/FAIL. */
export function formatReferenceSummary(reports: readonly ReferenceReport[]): string {
  const rows = reports.map((r) => [
    path.basename(r.source.replace(/, case \d+$/, '')),
    r.cell,
    String(r.layers),
    r.worst.name,
    sci(r.worst.maxRelError),
    r.passed ? 'pass' : 'FAIL',
  ]);
  const failed = reports.filter((r) => !r.passed).length;
  const verdict = failed === 0 ? `PASSED: all ${reports.length} cases` : `FAILED: ${failed} of ${reports.length} cases`;
  return [formatTable(['file', 'cell', 'layers', 'worst tensor', 'max rel err', 'result'], rows), verdict].join('\n');
}

/** Run the command; returns the exit code. */
export async function runReference(targets: string | readonly string[], o: ReferenceCommandOptions): Promise<number> {
  const files = referenceFiles(typeof targets === 'string' ? [targets] : targets);
  const cells = await cellsWith(o.cells);
  const reports: ReferenceReport[] = [];
  for (const file of files) {
    const ref = loadReference(file);
    ref.cases.forEach((c, i) => {
      if (!Object.hasOwn(cells, c.cell)) {
        usage(
          `${file}, case ${i}: cell '${c.cell}' is not a built-in cell (${Object.keys(builtinCells).join(', ')})${o.cells ? ` nor exported by ${o.cells}` : ''}; pass --cells <file.ts> exporting a cell named '${c.cell}'`,
        );
      }
    });
    reports.push(...ref.cases.map((c) => checkReference(c, { tolerance: o.tolerance, cells })));
  }
  const passed = reports.every((r) => r.passed);
  if (o.json) process.stdout.write(`${JSON.stringify({ passed, reports }, null, 2)}\n`);
  else {
    const body = reports.map(formatReferenceReport).join('\n\n');
    process.stdout.write(`${body}\n${files.length > 1 ? `\n${formatReferenceSummary(reports)}\n` : ''}`);
  }
  return passed ? EXIT.ok : EXIT.failed;
}

/** Add the `reference` command to `program`. */
export function referenceCommand(program: Command, setExit: (code: number) => void): Command {
  return program
    .command('reference')
    .description('compare cells with PyTorch reference-vector files (float64); exit 1 above tolerance')
    .argument('<files...>', 'reference .json files or directories of them (e.g. ../shared/reference)')
    .option('--tolerance <x>', 'largest max relative error that passes', nonNegativeNumber, 1e-9)
    .option('--cells <file>', 'a .ts/.js file exporting the cells the file names, beyond the built-ins')
    .option('--json', 'print the reports as JSON')
    .action(async (targets: string[], o: ReferenceCommandOptions) => setExit(await runReference(targets, o)));
}
