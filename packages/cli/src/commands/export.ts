/**
 * `cellgrad export <cell|file.ts|graph.json> --out model.onnx`: write a cell unrolled over T steps
 * (with `--grad`, its gradient graph: loss = sum(out), gradients to every input) as an ONNX model.
 * With `--recurrent-op`, PyTorch's lstm/gru are written instead as ONNX's own LSTM/GRU op, the
 * weights (initialised with `--seed`) stored in the model. `--bidirectional`, `--lengths` and
 * `--batch-first` are `unroll`'s options, for either form.
 */
import type { Command } from 'commander';
import { cellFeeds, getBuiltinCell } from '@cellgrad/cells';
import { writeFileSafely } from '@cellgrad/graph/io';
import { EXIT, usage } from '../errors.js';
import { isGraphJson, loadGraphs, type GraphSourceOptions } from '../graph-source.js';
import { checkOutputs } from '../output-paths.js';
import { addCellArgument, chosenCell } from '../cell-option.js';
import { specFile } from '../cell-source.js';
import { addSizeOptions, DEFAULT_SIZES, positiveInt, sizesOf } from '../options.js';
import { loadOnnxPackage, type OnnxModule } from '../onnx-package.js';

/** ONNX's default opset in `@cellgrad/onnx` (kept here so `--help` needs no import of it; a test checks they agree). */
export const EXPORT_DEFAULT_OPSET = 17;

/** Parsed options of `export`. */
export interface ExportCommandOptions extends GraphSourceOptions {
  readonly out: string;
  readonly opset: number;
  readonly recurrentOp?: boolean;
  readonly seed: number;
}

/** The model bytes the options ask for. */
async function modelBytes(onnx: OnnxModule, target: string, o: ExportCommandOptions): Promise<Uint8Array> {
  if (o.recurrentOp) {
    if (target !== 'lstm' && target !== 'gru') usage(`--recurrent-op exports the built-in lstm or gru as one ONNX op, not '${target}'`);
    if (o.grad) usage('--recurrent-op writes the forward op only; it cannot be combined with --grad');
    const sizes = { ...sizesOf(o), bidirectional: o.bidirectional ?? false, lengths: o.lengths ?? false, batchFirst: o.batchFirst ?? false };
    const dtype = o.dtype ?? 'float32';
    const weights = cellFeeds(getBuiltinCell(target), { ...sizes, dtype }, o.seed);
    return onnx.exportRecurrentOp(target, weights, sizes, { dtype, opset: o.opset });
  }
  // ONNX has no linear_scan and cellgrad's loop is not mapped to ONNX's Scan: export step by step.
  const graphs = await loadGraphs(target, { ...o, scan: 'never', loop: 'never' });
  if (graphs.length > 1) usage(`${target} exports ${graphs.length} cells (${graphs.map((g) => g.label).join(', ')}); choose one as ${target}:NAME`);
  return onnx.toOnnx(graphs[0]!.graph, { opset: o.opset, name: graphs[0]!.label.replace(/\W+/g, '_') });
}

/** Run the command; returns the exit code. */
export async function runExport(arg: string | undefined, o: ExportCommandOptions): Promise<number> {
  const { spec: target, from } = chosenCell(arg, o, '<source>');
  checkOutputs([['--out', o.out]], [[from, isGraphJson(target) ? target : (specFile(target) ?? target)]]);
  const onnx = await loadOnnxPackage('cellgrad export');
  const bytes = await modelBytes(onnx, target, o);
  const out = writeFileSafely(o.out, bytes);
  const g = onnx.decodeModel(bytes).graph!;
  const names = (vs: readonly { name?: string | null }[] | null | undefined) => (vs ?? []).map((v) => v.name).join(', ');
  process.stderr.write(`wrote ${out} (${g.node?.length ?? 0} ONNX nodes, opset ${o.opset}; inputs: ${names(g.input)}; outputs: ${names(g.output)})\n`);
  return EXIT.ok;
}

/** Add the `export` command to `program`. */
export function exportCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program.command('export').description('write a cell unrolled over T steps (optionally with its gradient) as an ONNX model');
  addCellArgument(cmd, 'source', true)
    .requiredOption('--out <file>', 'the .onnx file to write')
    .option('--grad', 'include the gradient graph (of loss = sum(out), w.r.t. every input)')
    .option('--opset <n>', 'ONNX opset version (13 to 21)', positiveInt, EXPORT_DEFAULT_OPSET)
    .option('--recurrent-op', "lstm/gru only: write ONNX's single LSTM/GRU op with initialised weights")
    .option('--bidirectional', 'run every layer in both directions (out [.., 2·hidden])')
    .option('--lengths', "a variable-length batch: an input of each sequence's length (`lengths`; `sequence_lens` int32 with --recurrent-op)")
    .option('--batch-first', 'x and out as [batch, steps, ·]');
  addSizeOptions(cmd, { ...DEFAULT_SIZES, dtype: 'keep', seed: { default: 0, of: 'the weights --recurrent-op stores' } }).action(
    async (target: string | undefined, o: ExportCommandOptions) => setExit(await runExport(target, o)),
  );
  return cmd;
}
