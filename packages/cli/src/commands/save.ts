/**
 * `cellgrad save <cell> --out graph.json`: write a cell's unrolled graph (with `--grad`, its gradient
 * graph) as JSON, for `cellgrad print`, other tools or later runs.
 */
import type { Command } from 'commander';
import { serialize } from '@cellgrad/graph';
import { writeFileSafely } from '@cellgrad/graph/io';
import { EXIT, usage } from '../errors.js';
import { isGraphJson, loadGraphs, type GraphSourceOptions } from '../graph-source.js';
import { checkOutputs } from '../output-paths.js';
import { addSizeOptions, dtypeOption } from '../options.js';

/** Parsed options of `save`. */
export interface SaveCommandOptions extends GraphSourceOptions {
  readonly out: string;
}

/** Run the command; returns the exit code. */
export async function runSave(target: string, o: SaveCommandOptions): Promise<number> {
  if (isGraphJson(target)) usage(`save takes a cell (a built-in name or a .ts/.js file), not a graph .json: ${target}`);
  checkOutputs([['--out', o.out]], [['<cell>', target]]);
  const graphs = await loadGraphs(target, o);
  if (graphs.length > 1) usage(`${target} exports ${graphs.length} cells (${graphs.map((g) => g.label).join(', ')}); choose one with --cell`);
  const out = writeFileSafely(o.out, `${serialize(graphs[0]!.graph)}\n`);
  process.stderr.write(`wrote ${out} (${graphs[0]!.graph.nodes.length} nodes)\n`);
  return EXIT.ok;
}

/** Add the `save` command to `program`. */
export function saveCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program
    .command('save')
    .description('write a cell\'s unrolled graph (optionally with its gradient) as JSON')
    .argument('<cell>', 'a built-in cell name or a .ts/.js file exporting cells')
    .requiredOption('--out <file>', 'the .json file to write')
    .option('--cell <name>', 'the cell to save, when the file exports several')
    .option('--grad', 'include the gradient graph (of loss = sum(out), w.r.t. every input)')
    .option('--dtype <dtype>', 'float32 or float64', dtypeOption, 'float32');
  addSizeOptions(cmd).action(async (target: string, o: SaveCommandOptions) => setExit(await runSave(target, o)));
  return cmd;
}
