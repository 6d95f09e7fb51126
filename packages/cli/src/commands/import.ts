/**
 * `cellgrad import model.onnx --out graph.json [--weights weights.json]`: read an ONNX model with
 * `fromOnnx` and save the graph as JSON (what `print`, `viz`, `export`, `gradcheck` and `save`'s
 * readers take); the initializers' values go to a weights file (`{ name: { shape, data } }`).
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { saveWeights } from '@cellgrad/cells/node';
import { serialize, type DType } from '@cellgrad/graph';
import { writeFileSafely } from '@cellgrad/graph/io';
import { EXIT, usage } from '../errors.js';
import { loadOnnxPackage } from '../onnx-package.js';
import { existingFile } from '../loader/load-cell-file.js';
import { dtypeOption } from '../options.js';
import { checkOutputs } from '../output-paths.js';

/** Parsed options of `import`. */
export interface ImportCommandOptions {
  readonly out: string;
  readonly weights?: string;
  readonly dtype?: DType;
  readonly dim?: readonly string[];
}

function parseDims(specs: readonly string[]): Record<string, number> {
  const dims: Record<string, number> = {};
  for (const s of specs) {
    const m = /^([^=]+)=(\d+)$/.exec(s);
    if (!m || Number(m[2]) < 1) usage(`--dim takes NAME=SIZE with a positive size, got '${s}'`);
    dims[m[1]!] = Number(m[2]);
  }
  return dims;
}

/** Run the command; returns the exit code. */
export async function runImport(file: string, o: ImportCommandOptions): Promise<number> {
  const abs = existingFile(file);
  checkOutputs([['--out', o.out], ...(o.weights ? [['--weights', o.weights] as const] : [])], [['<model>', abs]]);
  const { fromOnnx } = await loadOnnxPackage('cellgrad import');
  const { graph, initializers, inputs, opset } = fromOnnx(readFileSync(abs), { ...(o.dtype ? { dtype: o.dtype } : {}), dims: parseDims(o.dim ?? []) });
  const stored = Object.keys(initializers);
  if (stored.length > 0 && !o.weights) {
    usage(
      `${file} stores ${stored.length} initializers (${stored.slice(0, 4).join(', ')}${stored.length > 4 ? ', …' : ''}); give --weights FILE for their values`,
    );
  }
  const out = writeFileSafely(o.out, `${serialize(graph)}\n`);
  if (o.weights) saveWeights(o.weights, initializers);
  const fed = inputs.filter((i) => !i.initializer).map((i) => i.name);
  process.stderr.write(
    `wrote ${out} (${graph.nodes.length} nodes, from opset ${opset}; inputs: ${fed.join(', ') || 'none'}` +
      `${o.weights ? `; ${stored.length} initializers to ${o.weights}` : ''}; outputs: ${graph.outputs.map((p) => p.name).join(', ')})\n`,
  );
  return EXIT.ok;
}

/** Add the `import` command to `program`. */
export function importCommand(program: Command, setExit: (code: number) => void): Command {
  return program
    .command('import')
    .description('read an ONNX model as a cellgrad graph and save it as JSON (initializer values to --weights)')
    .argument('<model>', 'the .onnx file')
    .requiredOption('--out <file>', 'the graph .json file to write')
    .option('--weights <file>', "a .json file for the initializers' values (needed when the model stores any)")
    .option('--dtype <dtype>', "element type: float32 or float64 (default: the model's own)", dtypeOption)
    .option('--dim <name=size>', 'the size of a symbolic input dimension (repeatable)', (v: string, prev: string[] | undefined) => [...(prev ?? []), v])
    .action(async (file: string, o: ImportCommandOptions) => setExit(await runImport(file, o)));
}
