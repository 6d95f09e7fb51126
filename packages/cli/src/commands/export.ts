/**
 * `cellgrad export <cell|file.ts|graph.json> --out model.onnx`: write a cell unrolled over T steps
 * (with `--grad`, its gradient graph: loss = sum(out), gradients to every input) as an ONNX model.
 * With `--recurrent-op`, PyTorch's lstm/gru are written instead as ONNX's own LSTM/GRU op, the
 * weights (initialised with `--seed`) stored in the model.
 */
import type { Command } from 'commander';
import { cellFeeds, getBuiltinCell } from '@cellgrad/cells';
import { writeFileSafely } from '@cellgrad/graph/io';
import { DEFAULT_OPSET, exportRecurrentOp, onnxProto, toOnnx } from '@cellgrad/onnx';
import { EXIT, usage } from '../errors.js';
import { loadGraphs, type GraphSourceOptions } from '../graph-source.js';
import { checkOutputs } from '../output-paths.js';
import { addSizeOptions, dtypeOption, nonNegativeInt, positiveInt, sizesOf } from '../options.js';

/** Parsed options of `export`. */
export interface ExportCommandOptions extends GraphSourceOptions {
  readonly out: string;
  readonly opset: number;
  readonly recurrentOp?: boolean;
  readonly seed: number;
}

/** The model bytes the options ask for. */
async function modelBytes(target: string, o: ExportCommandOptions): Promise<Uint8Array> {
  if (o.recurrentOp) {
    if (target !== 'lstm' && target !== 'gru') usage(`--recurrent-op exports the built-in lstm or gru as one ONNX op, not '${target}'`);
    if (o.grad) usage('--recurrent-op writes the forward op only; it cannot be combined with --grad');
    const sizes = sizesOf(o);
    const dtype = o.dtype ?? 'float32';
    const weights = cellFeeds(getBuiltinCell(target), { ...sizes, dtype }, o.seed);
    return exportRecurrentOp(target, weights, sizes, { dtype, opset: o.opset });
  }
  const graphs = await loadGraphs(target, o);
  if (graphs.length > 1) usage(`${target} exports ${graphs.length} cells (${graphs.map((g) => g.label).join(', ')}); choose one with --cell`);
  return toOnnx(graphs[0]!.graph, { opset: o.opset, name: graphs[0]!.label.replace(/\W+/g, '_') });
}

/** Run the command; returns the exit code. */
export async function runExport(target: string, o: ExportCommandOptions): Promise<number> {
  checkOutputs([['--out', o.out]], [['<source>', target]]);
  const bytes = await modelBytes(target, o);
  const out = writeFileSafely(o.out, bytes);
  const g = onnxProto.ModelProto.decode(bytes).graph!;
  const names = (vs: readonly { name?: string | null }[] | null | undefined) => (vs ?? []).map((v) => v.name).join(', ');
  process.stderr.write(`wrote ${out} (${g.node?.length ?? 0} ONNX nodes, opset ${o.opset}; inputs: ${names(g.input)}; outputs: ${names(g.output)})\n`);
  return EXIT.ok;
}

/** Add the `export` command to `program`. */
export function exportCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program
    .command('export')
    .description('write a cell unrolled over T steps (optionally with its gradient) as an ONNX model')
    .argument('<source>', 'a built-in cell name, a .ts/.js file exporting cells, or a graph .json written by `cellgrad save`')
    .requiredOption('--out <file>', 'the .onnx file to write')
    .option('--cell <name>', 'the cell to export, when the file exports several')
    .option('--grad', 'include the gradient graph (of loss = sum(out), w.r.t. every input)')
    .option('--opset <n>', 'ONNX opset version (13 to 21)', positiveInt, DEFAULT_OPSET)
    .option('--recurrent-op', 'lstm/gru only: write ONNX\'s single LSTM/GRU op with initialised weights')
    .option('--seed <n>', 'weight seed for --recurrent-op', nonNegativeInt, 0)
    .option('--dtype <dtype>', 'float32 or float64 (default float32 for cells; a .json keeps its own)', dtypeOption);
  addSizeOptions(cmd).action(async (target: string, o: ExportCommandOptions) => setExit(await runExport(target, o)));
  return cmd;
}
