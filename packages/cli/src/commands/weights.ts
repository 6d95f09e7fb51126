/**
 * `cellgrad weights <cell> <in.json> --from pytorch --to keras --out out.json`: convert a cell's
 * weights between PyTorch's layout (state dict names, [out, in] rows) and Keras's (kernel,
 * recurrent_kernel, bias; gate columns reordered), or check a file against a layout (`--to` equal
 * to `--from`). Files are JSON `{ name: { shape, data } }`; a missing or misshapen tensor is an
 * error naming it, exit 2.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { fromKeras, fromPyTorch, toKeras, toPyTorch, type Cell, type TensorDict, type WeightOptions } from '@cellgrad/cells';
import { loadWeights, saveWeights } from '@cellgrad/cells/node';
import type { NDArray } from '@cellgrad/graph';
import { CELL_SPELLING, chosenCell } from '../cell-option.js';
import { resolveOneCell, specFile } from '../cell-source.js';
import { EXIT } from '../errors.js';
import { existingFile } from '../loader/load-cell-file.js';
import { oneOf, positiveInt, SIZE_HELP } from '../options.js';
import { checkOutputs } from '../output-paths.js';

/** The two layouts. */
export type WeightLayout = 'pytorch' | 'keras';

/** Parsed options of `weights`. */
export interface WeightsCommandOptions {
  readonly from: WeightLayout;
  readonly to: WeightLayout;
  readonly out?: string;
  readonly cell?: string;
  readonly input: number;
  readonly hidden: number;
  readonly layers: number;
  readonly bidirectional?: boolean;
}

const readers: Record<WeightLayout, (cell: Cell, t: TensorDict, o: WeightOptions) => Record<string, NDArray>> = { pytorch: fromPyTorch, keras: fromKeras };
const writers: Record<WeightLayout, (cell: Cell, t: TensorDict, o: WeightOptions) => Record<string, NDArray>> = { pytorch: toPyTorch, keras: toKeras };

/** Run the command; returns the exit code. */
export async function runWeights(target: string, file: string, o: WeightsCommandOptions): Promise<number> {
  const { spec } = chosenCell(target, o, '<cell>');
  const cellFile = specFile(spec);
  if (o.out) checkOutputs([['--out', o.out]], [['<file>', file], ...(cellFile !== undefined ? [['<cell>', cellFile] as const] : [])]);
  const { cell, label } = await resolveOneCell(spec);
  const net: WeightOptions = { input: o.input, hidden: o.hidden, layers: o.layers, bidirectional: o.bidirectional ?? false };
  const params = readers[o.from](cell, loadWeights(existingFile(file)), net);
  const converted = writers[o.to](cell, params, net);
  const rows = Object.entries(converted).map(([name, t]) => `  ${name} [${t.shape.join(',')}]`);
  if (o.out) {
    const out = path.resolve(o.out);
    saveWeights(out, converted);
    process.stderr.write(`wrote ${out}\n`);
  }
  process.stdout.write(`${label}: ${o.from} -> ${o.to}, ${rows.length} tensors\n${rows.join('\n')}\n`);
  return EXIT.ok;
}

/** Add the `weights` command to `program`. */
export function weightsCommand(program: Command, setExit: (code: number) => void): Command {
  const layout = oneOf<WeightLayout>('pytorch', 'keras');
  return program
    .command('weights')
    .description("convert a cell's weights between PyTorch's and Keras's layouts (or check a file against one)")
    .argument('<cell>', `the cell: ${CELL_SPELLING}`)
    .argument('<file>', 'a weights .json file { name: { shape, data } }')
    .requiredOption('--from <layout>', 'layout of <file>: pytorch or keras', layout)
    .requiredOption('--to <layout>', 'layout to write: pytorch or keras', layout)
    .requiredOption('--input <n>', SIZE_HELP.input, positiveInt)
    .requiredOption('--hidden <n>', SIZE_HELP.hidden, positiveInt)
    .option('--layers <n>', SIZE_HELP.layers, positiveInt, 1)
    .option('--bidirectional', 'two directions per layer')
    .option('--cell <name>', 'deprecated: the cell of a <cell> file, now written FILE:NAME')
    .option('--out <file>', 'where to write the converted weights')
    .action(async (target: string, file: string, o: WeightsCommandOptions) => setExit(await runWeights(target, file, o)));
}
