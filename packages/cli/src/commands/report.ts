/**
 * `cellgrad report [cell] [--data results.json] --out report.html`: one self-contained HTML page.
 * `--data` takes `ReportData` as JSON (what a training script or the demo wrote); a cell argument adds
 * the cell's own graphs (one step, unrolled, gradient, before/after each pass) and its gradient check.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { gradcheck } from '@cellgrad/autodiff';
import { cellFeeds, unroll } from '@cellgrad/cells';
import { optimizeWithTrace } from '@cellgrad/graph';
import { checkReportData, passGraphs, writeReport, type GradcheckReportLike, type ReportData, type ReportGraph } from '@cellgrad/viz';
import { addCellArgument, chosenCell } from '../cell-option.js';
import { resolveCells, specFile } from '../cell-source.js';
import { EXIT, usage } from '../errors.js';
import { cellGradGraph } from '../graph-source.js';
import { existingFile } from '../loader/load-cell-file.js';
import { addSizeOptions, DEFAULT_SIZES, sizesOf, sizesText, type SizeOptions } from '../options.js';
import { checkOutputs } from '../output-paths.js';

/** Parsed options of `report`. */
export interface ReportCommandOptions extends SizeOptions {
  readonly out: string;
  readonly data?: string;
  readonly cell?: string;
  readonly title?: string;
}

/** Read and check a `ReportData` JSON file. */
export function readReportData(file: string): ReportData {
  const abs = existingFile(file);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(abs, 'utf8'));
  } catch (e) {
    usage(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  try {
    return checkReportData(parsed);
  } catch (e) {
    return usage(`${file}: ${(e as Error).message}`);
  }
}

/** The graphs and gradient checks of each cell `target` names, at the given sizes. */
async function cellSections(target: string, o: ReportCommandOptions): Promise<Pick<ReportData, 'graphs' | 'gradcheck'>> {
  const sizes = sizesOf(o);
  const graphs: ReportGraph[] = [];
  const checks: GradcheckReportLike[] = [];
  for (const { label, cell } of await resolveCells(target)) {
    const g = unroll(cell, { ...sizes, dtype: 'float32' });
    graphs.push(
      { title: `${label}: one step`, graph: unroll(cell, { ...sizes, steps: 1 }) },
      { title: `${label}: unrolled over ${sizes.steps} steps`, caption: sizesText(sizes), graph: g },
      { title: `${label}: gradient graph`, caption: 'loss = sum(out), differentiated with respect to every input', graph: cellGradGraph(g) },
      ...passGraphs(optimizeWithTrace(g), { name: label }),
    );
    const f64 = { ...sizes, dtype: 'float64' as const };
    checks.push({ cell: label, report: gradcheck(unroll(cell, f64), cellFeeds(cell, f64, 0), { timeAxes: { x: 0, out: 0 } }) });
  }
  return { graphs, gradcheck: checks };
}

/** Run the command; returns the exit code. */
export async function runReport(arg: string | undefined, o: ReportCommandOptions): Promise<number> {
  const chosen = chosenCell(arg, o, '[cell]', false);
  const target = chosen?.spec;
  if (target === undefined && o.data === undefined) usage('report needs a cell, --data <results.json>, or both');
  const cellFile = target !== undefined ? specFile(target) : undefined;
  checkOutputs(
    [['--out', o.out]],
    [...(o.data !== undefined ? [['--data', o.data] as const] : []), ...(cellFile !== undefined ? [[chosen!.from, cellFile] as const] : [])],
  );
  const data: ReportData = o.data !== undefined ? readReportData(o.data) : {};
  const extra = target !== undefined ? await cellSections(target, o) : {};
  const merged: ReportData = {
    ...data,
    title: o.title ?? data.title ?? (target !== undefined ? `cellgrad report: ${target}` : 'cellgrad report'),
    graphs: [...(data.graphs ?? []), ...(extra.graphs ?? [])],
    gradcheck: [...(data.gradcheck ?? []), ...(extra.gradcheck ?? [])],
  };
  const file = await writeReport(o.out, merged);
  process.stderr.write(`wrote ${file}\n`);
  return EXIT.ok;
}

/** Add the `report` command to `program`. */
export function reportCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program
    .command('report')
    .description(
      'write a self-contained HTML report: graphs (zoom and pan), loss curves, gradient flow, gradcheck and benchmark tables; a cell adds its graphs and gradient check',
    );
  addCellArgument(cmd, 'cell')
    .requiredOption('--out <file>', 'the .html file to write')
    .option('--data <file>', 'report data as JSON: { title?, graphs?, lossCurves?, flow?, gradcheck?, bench? } (see @cellgrad/viz ReportData)')
    .option('--title <text>', 'the page title');
  addSizeOptions(cmd, DEFAULT_SIZES).action(async (target: string | undefined, o: ReportCommandOptions) => setExit(await runReport(target, o)));
  return cmd;
}
