/**
 * `cellgrad print <cell|graph.json>`: a graph in text form, one line per node — a cell unrolled over
 * T steps (with `--grad`, its gradient graph too) or a graph saved with `cellgrad save`.
 */
import type { Command } from 'commander';
import { print } from '@cellgrad/graph';
import { EXIT } from '../errors.js';
import { loadGraphs, type GraphSourceOptions } from '../graph-source.js';
import { addSizeOptions, dtypeOption } from '../options.js';

/** Run the command; returns the exit code. */
export async function runPrint(target: string, o: GraphSourceOptions): Promise<number> {
  const graphs = await loadGraphs(target, o);
  const parts = graphs.map(({ label, graph }) => (graphs.length > 1 ? `# ${label}\n${print(graph)}` : print(graph)));
  process.stdout.write(`${parts.join('\n\n')}\n`);
  return EXIT.ok;
}

/** Add the `print` command to `program`. */
export function printCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program
    .command('print')
    .description('print a graph as text: a cell unrolled over T steps, or a saved graph (.json)')
    .argument('<source>', 'a built-in cell name, a .ts/.js file exporting cells, or a graph .json written by `cellgrad save`')
    .option('--cell <name>', 'the cell to print, when the file exports several')
    .option('--grad', 'include the gradient graph (of loss = sum(out) for a cell, w.r.t. every input)')
    .option('--dtype <dtype>', 'float32 or float64 (default float32 for cells; a .json keeps its own)', dtypeOption);
  addSizeOptions(cmd).action(async (target: string, o: GraphSourceOptions) => setExit(await runPrint(target, o)));
  return cmd;
}
