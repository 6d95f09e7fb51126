/**
 * `cellgrad print <cell|graph.json>`: a graph in text form, one line per node — a cell unrolled over
 * T steps (with `--grad`, its gradient graph too) or a graph saved with `cellgrad save`.
 */
import type { Command } from 'commander';
import { print } from '@cellgrad/graph';
import { EXIT } from '../errors.js';
import { loadGraphs, type GraphSourceOptions } from '../graph-source.js';
import { addCellArgument, chosenCell } from '../cell-option.js';
import { addSizeOptions, DEFAULT_SIZES } from '../options.js';

/** Run the command; returns the exit code. */
export async function runPrint(target: string | undefined, o: GraphSourceOptions): Promise<number> {
  const graphs = await loadGraphs(chosenCell(target, o, '<source>').spec, o);
  const parts = graphs.map(({ label, graph }) => (graphs.length > 1 ? `# ${label}\n${print(graph)}` : print(graph)));
  process.stdout.write(`${parts.join('\n\n')}\n`);
  return EXIT.ok;
}

/** Add the `print` command to `program`. */
export function printCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program.command('print').description('print a graph as text: a cell unrolled over T steps, or a saved graph (.json)');
  addCellArgument(cmd, 'source', true).option('--grad', 'include the gradient graph (of loss = sum(out) for a cell, w.r.t. every input)');
  addSizeOptions(cmd, { ...DEFAULT_SIZES, dtype: 'keep' }).action(async (target: string | undefined, o: GraphSourceOptions) =>
    setExit(await runPrint(target, o)),
  );
  return cmd;
}
