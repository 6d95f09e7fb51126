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
import { addCellArgument, chosenCell } from '../cell-option.js';
import { specFile } from '../cell-source.js';
import { addSizeOptions, DEFAULT_SIZES } from '../options.js';

/** Parsed options of `save`. */
export interface SaveCommandOptions extends GraphSourceOptions {
  readonly out: string;
}

/** Run the command; returns the exit code. */
export async function runSave(target: string | undefined, o: SaveCommandOptions): Promise<number> {
  const { spec, from } = chosenCell(target, o, '<cell>');
  if (isGraphJson(spec)) usage(`save takes a cell (a built-in name, a .ts/.js file or FILE:EXPORT), not a graph .json: ${spec}`);
  const file = specFile(spec);
  checkOutputs([['--out', o.out]], file !== undefined ? [[from, file]] : []);
  const graphs = await loadGraphs(spec, o);
  if (graphs.length > 1) usage(`${spec} exports ${graphs.length} cells (${graphs.map((g) => g.label).join(', ')}); choose one as ${spec}:NAME`);
  const out = writeFileSafely(o.out, `${serialize(graphs[0]!.graph)}\n`);
  process.stderr.write(`wrote ${out} (${graphs[0]!.graph.nodes.length} nodes)\n`);
  return EXIT.ok;
}

/** Add the `save` command to `program`. */
export function saveCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program.command('save').description("write a cell's unrolled graph (optionally with its gradient) as JSON");
  addCellArgument(cmd, 'cell')
    .requiredOption('--out <file>', 'the .json file to write')
    .option('--grad', 'include the gradient graph (of loss = sum(out), w.r.t. every input)');
  addSizeOptions(cmd, { ...DEFAULT_SIZES, dtype: 'float32' }).action(async (target: string | undefined, o: SaveCommandOptions) =>
    setExit(await runSave(target, o)),
  );
  return cmd;
}
