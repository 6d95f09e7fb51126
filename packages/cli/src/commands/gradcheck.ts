/**
 * `cellgrad gradcheck <cell>`: unroll a built-in cell or the cells of a file in float64, feed seeded
 * random values, and prove every gradient against central finite differences (reverse mode, forward
 * mode or both with `--mode fwd,rev`). Exit 1 on a failure.
 * A saved graph (`graph.json`, from `save` or `import`) is checked as it is, every input fed seeded
 * random values unless `--weights` gives them (the weights file `import` writes).
 */
import { InvalidArgumentError, type Command } from 'commander';
import { formatGradcheck, gradcheck, type GradcheckOptions, type GradcheckReport } from '@cellgrad/autodiff';
import { cellFeeds, checkSequenceFeeds, randomFeeds, unroll, type ScanForm } from '@cellgrad/cells';
import { loadWeights } from '@cellgrad/cells/node';
import { castArray, castGraph, interpret, type Graph, type NDArray } from '@cellgrad/graph';
import { addCellArgument, chosenCell } from '../cell-option.js';
import { resolveCells } from '../cell-source.js';
import { cellGradGraph, isGraphJson, readGraphJson } from '../graph-source.js';
import { EXIT, usage } from '../errors.js';
import { addSizeOptions, DEFAULT_SIZES, nonNegativeNumber, oneOf, positiveNumber, sizesOf, sizesText, type SizeOptions } from '../options.js';
import { progressLine } from '../progress.js';

/** Parsed options of `gradcheck`. */
export interface GradcheckCommandOptions extends SizeOptions {
  readonly cell?: string;
  readonly eps: number;
  readonly atol: number;
  readonly rtol: number;
  /** `full`/`fast` and `fwd`/`rev`, as `--mode` parses them (`parseCheckModes`). */
  readonly mode: readonly CheckModeWord[];
  readonly order: '1' | '2';
  readonly seed: number;
  readonly json?: boolean;
  readonly checkFinite?: boolean;
  readonly lengths?: boolean;
  readonly batchFirst?: boolean;
  readonly weights?: string;
  /** `unroll`'s `scanForm` (`--scan-form log`: the recurrence as log-space scans). */
  readonly scanForm: ScanForm;
}

/** The words `--mode` takes: how much of the Jacobian (`full`, `fast`) and which derivatives (`fwd`, `rev`). */
export type CheckModeWord = 'full' | 'fast' | 'fwd' | 'rev';

const MODE_WORDS: readonly CheckModeWord[] = ['full', 'fast', 'fwd', 'rev'];

/** Parse `--mode`: a comma-separated list such as `fwd`, `fwd,rev` or `fast,fwd,rev`. */
export function parseCheckModes(value: string): CheckModeWord[] {
  const words = value.split(',').map((w) => w.trim());
  const bad = words.find((w) => !(MODE_WORDS as readonly string[]).includes(w));
  if (bad !== undefined) throw new InvalidArgumentError(`'${bad}' is not a mode; expected a comma-separated list of full or fast, and fwd and/or rev.`);
  if (words.includes('full') && words.includes('fast')) throw new InvalidArgumentError('full and fast exclude each other.');
  return [...new Set(words as CheckModeWord[])];
}

/** The result for one cell, as `--json` prints it. */
export interface CellGradcheck {
  readonly cell: string;
  readonly sizes: SizeOptions;
  readonly seed: number;
  readonly report: GradcheckReport;
}

/** Run the command; returns the exit code. */
export async function runGradcheck(target: string | undefined, o: GradcheckCommandOptions): Promise<number> {
  const { spec } = chosenCell(target, o, '<cell>');
  if (isGraphJson(spec)) return gradcheckGraphFile(spec, o);
  if (o.weights) usage('--weights gives the inputs of a saved graph (graph.json); a cell gets seeded weights');
  const cells = await resolveCells(spec);
  const sizes = sizesOf(o);
  const results: CellGradcheck[] = [];
  for (const { label, cell } of cells) {
    const options = { ...sizes, dtype: 'float64' as const, lengths: o.lengths ?? false, batchFirst: o.batchFirst ?? false, scanForm: o.scanForm };
    const g = unroll(cell, options);
    const feeds = cellFeeds(cell, options, o.seed);
    checkSequenceFeeds(cell, options, feeds);
    // Debug mode: the forward and backward passes once, stopping at the first NaN/Inf node.
    if (o.checkFinite) interpret(cellGradGraph(g), feeds, { checkFinite: true });
    const progress = progressLine(`gradcheck ${label}:`);
    let report: GradcheckReport;
    try {
      report = gradcheck(g, feeds, {
        ...checkOptions(o),
        timeAxes: { x: o.batchFirst ? 1 : 0, out: o.batchFirst ? 1 : 0 },
        onProgress: (done, total) => progress.update(done, total),
      });
    } finally {
      progress.end();
    }
    results.push({ cell: label, sizes, seed: o.seed, report });
    if (!o.json) {
      if (results.length > 1) process.stdout.write('\n');
      process.stdout.write(`gradcheck ${label}: ${sizesText(sizes)} (float64, seed ${o.seed})\n${formatGradcheck(report)}\n`);
    }
  }
  const passed = results.every((r) => r.report.passed);
  if (o.json) process.stdout.write(`${JSON.stringify({ passed, cells: results }, null, 2)}\n`);
  return passed ? EXIT.ok : EXIT.failed;
}

/** The gradcheck options the command's flags give, for a cell and a saved graph alike. */
function checkOptions(o: GradcheckCommandOptions): GradcheckOptions {
  return {
    eps: o.eps,
    atol: o.atol,
    rtol: o.rtol,
    mode: o.mode.includes('fast') ? 'fast' : 'full',
    modes: o.mode.includes('fwd') ? (o.mode.includes('rev') ? ['fwd', 'rev'] : ['fwd']) : ['rev'],
    order: o.order === '2' ? 2 : 1,
    seed: o.seed,
  };
}

/** Gradcheck a saved graph: random feeds (seeded), overridden by the `--weights` file's values. */
function gradcheckGraphFile(file: string, o: GradcheckCommandOptions): number {
  const g: Graph = castGraph(readGraphJson(file), 'float64');
  const feeds: Record<string, NDArray> = randomFeeds(g, { seed: o.seed });
  if (o.weights) {
    for (const [name, value] of Object.entries(loadWeights(o.weights))) {
      if (!Object.hasOwn(feeds, name)) usage(`--weights: '${name}' is not an input of ${file} (inputs: ${g.inputs.map((p) => p.name).join(', ')})`);
      feeds[name] = castArray(value, 'float64');
    }
  }
  if (o.checkFinite) interpret(g, feeds, { checkFinite: true });
  const progress = progressLine(`gradcheck ${file}:`);
  let report: GradcheckReport;
  try {
    report = gradcheck(g, feeds, { ...checkOptions(o), onProgress: (d, t) => progress.update(d, t) });
  } finally {
    progress.end();
  }
  if (o.json) process.stdout.write(`${JSON.stringify({ passed: report.passed, graph: file, seed: o.seed, report }, null, 2)}\n`);
  else process.stdout.write(`gradcheck ${file}: ${g.nodes.length} nodes (float64, seed ${o.seed})\n${formatGradcheck(report)}\n`);
  return report.passed ? EXIT.ok : EXIT.failed;
}

/** Add the `gradcheck` command to `program`. */
export function gradcheckCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program
    .command('gradcheck')
    .description("check a cell's gradients against finite differences (float64; every cell of a file unless FILE:EXPORT); exit 1 on failure");
  addCellArgument(cmd, 'cell');
  addSizeOptions(cmd, { ...DEFAULT_SIZES, seed: { default: 0, of: 'the feeds and of the random directions' } })
    .option('--eps <x>', 'finite-difference step', positiveNumber, 1e-6)
    .option('--atol <x>', 'absolute tolerance', nonNegativeNumber, 1e-5)
    .option('--rtol <x>', 'relative tolerance', nonNegativeNumber, 1e-3)
    .option(
      '--mode <modes>',
      'comma-separated: full (every Jacobian element) or fast (random projections vᵀJu); rev (reverse mode), fwd (forward mode) or fwd,rev (both, and against each other)',
      parseCheckModes,
      ['full', 'rev'],
    )
    .option('--order <n>', '1 (gradients) or 2 (also second derivatives)', oneOf('1', '2'), '1')
    .option('--lengths', "a variable-length batch: seeded lengths in 1..steps, padding masked as PyTorch's packed sequences")
    .option('--batch-first', 'x and out as [batch, steps, ·]')
    .option(
      '--scan-form <form>',
      'direct (a linear recurrence as linear_scan) or log (as log_linear_scan on log a, log b: coefficients must be positive; initial states drawn > 0)',
      oneOf<ScanForm>('direct', 'log'),
      'direct',
    )
    .option('--json', 'print the report as JSON')
    .option('--weights <file>', 'a saved graph only: input values as JSON { name: { shape, data } } (what `cellgrad import --weights` writes)')
    .option(
      '--check-finite',
      'first run the forward and backward passes once, stopping at the first node that produces NaN or Inf (exit 2, naming the op, node, cell, step and input ranges)',
    )
    .action(async (target: string | undefined, o: GradcheckCommandOptions) => setExit(await runGradcheck(target, o)));
  return cmd;
}
