/**
 * `cellgrad analyze <cell>`: which of a cell's step lies on the recurrence (the core, run step after
 * step), which is time-parallel (hoisted over all T·B rows), which reads a state off the cycle
 * (readout) and which is invariant; and whether each state is a linear recurrence, which then runs
 * as a scan (`linear_scan`). `--json` prints the same as JSON.
 */
import type { Command } from 'commander';
import { analyzeRecurrence, formatRecurrence } from '@cellgrad/cells';
import { addCellArgument, chosenCell, type CellChoiceOptions } from '../cell-option.js';
import { resolveCells } from '../cell-source.js';
import { EXIT } from '../errors.js';
import { addSizeOptions } from '../options.js';

/** Parsed options of `analyze`. */
export interface AnalyzeCommandOptions extends CellChoiceOptions {
  readonly input: number;
  readonly hidden: number;
  readonly json?: boolean;
}

/** Run the command; returns the exit code. */
export async function runAnalyze(target: string | undefined, o: AnalyzeCommandOptions): Promise<number> {
  const cells = await resolveCells(chosenCell(target, o, '<cell>').spec);
  const results = cells.map(({ label, cell }) => ({ label, r: analyzeRecurrence(cell, { input: o.input, hidden: o.hidden }) }));
  if (o.json) {
    const json = results.map(({ label, r }) => ({
      cell: label,
      sizes: r.sizes,
      linear: r.linear,
      states: r.states,
      core: r.core,
      timeParallel: r.timeParallel,
      readout: r.readout,
      invariant: r.invariant,
    }));
    process.stdout.write(`${JSON.stringify(json.length === 1 ? json[0] : json, null, 2)}\n`);
  } else process.stdout.write(`${results.map(({ r }) => formatRecurrence(r)).join('\n\n')}\n`);
  return EXIT.ok;
}

/** Add the `analyze` command to `program`. */
export function analyzeCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program
    .command('analyze')
    .description("split a cell's step into recurrent core, time-parallel work, readout and invariant nodes; say which states are linear (run as scans)");
  addCellArgument(cmd, 'cell');
  addSizeOptions(cmd, { input: 3, hidden: 4 })
    .option('--json', 'print the analysis as JSON')
    .action(async (target: string | undefined, o: AnalyzeCommandOptions) => setExit(await runAnalyze(target, o)));
  return cmd;
}
