/**
 * `cellgrad viz <cell|file.ts|graph.json> [--grad] [--format text|dot|svg] [--out file]`: draw a cell
 * unrolled over T steps (or its gradient graph, or a saved graph) as text with folded steps, as
 * Graphviz DOT or as SVG; `--passes` draws the graph before and after each optimisation pass.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { optimizeWithTrace, type Graph } from '@cellgrad/graph';
import { writeFileSafely } from '@cellgrad/graph/io';
import { passGraphs, printFolded, toDot, toSvg, type DotOptions } from '@cellgrad/viz';
import { EXIT, usage } from '../errors.js';
import { isGraphJson, loadGraphs, type GraphSourceOptions } from '../graph-source.js';
import { checkOutputs } from '../output-paths.js';
import { addCellArgument, chosenCell } from '../cell-option.js';
import { specFile } from '../cell-source.js';
import { addSizeOptions, DEFAULT_SIZES, oneOf, positiveInt } from '../options.js';

/** The output formats of `viz`. */
export type VizFormat = 'text' | 'dot' | 'svg';

/** Parsed options of `viz`. */
export interface VizCommandOptions extends GraphSourceOptions {
  readonly format?: VizFormat;
  readonly out?: string;
  readonly passes?: boolean;
  readonly fold: boolean;
  readonly firstSteps: number;
  readonly maxNodes: number;
  readonly rankdir: 'TB' | 'LR';
  /** Colour the recurrent core. */
  readonly core?: boolean;
}

/** The format: `--format`, else the extension of `--out` (.svg, .dot/.gv), else text. */
export function vizFormat(o: Pick<VizCommandOptions, 'format' | 'out'>): VizFormat {
  if (o.format) return o.format;
  const ext = o.out ? path.extname(o.out).toLowerCase() : '';
  if (ext === '.svg') return 'svg';
  if (ext === '.dot' || ext === '.gv') return 'dot';
  return 'text';
}

/** One drawing to produce: a title and a graph. */
interface Drawing {
  readonly title: string;
  readonly graph: Graph;
  /** Suffix of the output file when there are several drawings. */
  readonly suffix: string;
}

async function render(d: Drawing, format: VizFormat, options: DotOptions): Promise<string> {
  if (format === 'text') return `# ${d.title}\n${printFolded(d.graph, { fold: options.collapseSteps !== false })}\n`;
  if (format === 'dot') return `${toDot(d.graph, { ...options, title: d.title })}\n`;
  return `${await toSvg(d.graph, { ...options, title: d.title })}\n`;
}

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** The file for drawing `k` of `n`: the `--out` path itself, or with the drawing's suffix before the extension. */
function outFile(out: string, d: Drawing, n: number): string {
  if (n === 1) return path.resolve(out);
  const ext = path.extname(out);
  return path.resolve(`${out.slice(0, out.length - ext.length)}.${d.suffix}${ext}`);
}

/** Run the command; returns the exit code. */
export async function runViz(arg: string | undefined, o: VizCommandOptions): Promise<number> {
  const { spec: target, from } = chosenCell(arg, o, '<source>');
  const format = vizFormat(o);
  if (format === 'svg' && !o.out) usage('--format svg needs --out <file.svg>');
  const graphs = await loadGraphs(target, o);
  const drawings: Drawing[] = [];
  for (const { label, graph } of graphs) {
    const steps = isGraphJson(target) ? '' : `, ${o.steps} step${o.steps === 1 ? '' : 's'}`;
    const what = `${isGraphJson(target) ? path.basename(label) : label}${o.grad ? ' gradient' : ''}${steps}`;
    if (!o.passes) {
      drawings.push({ title: what, graph, suffix: slug(label) });
      continue;
    }
    for (const [k, p] of passGraphs(optimizeWithTrace(graph)).entries()) {
      const cell = graphs.length > 1 ? `${slug(label)}.` : '';
      drawings.push({ title: `${what}: ${p.title}`, graph: p.graph as Graph, suffix: `${cell}${k}-${slug(p.title)}` });
    }
  }
  if (o.out)
    checkOutputs(
      drawings.map((d) => [`--out (${d.title})`, outFile(o.out!, d, drawings.length)]),
      [[from, isGraphJson(target) ? target : (specFile(target) ?? target)]],
    );
  const options: DotOptions = { collapseSteps: o.fold, firstSteps: o.firstSteps, maxNodes: o.maxNodes, rankdir: o.rankdir, highlightCore: o.core ?? false };
  for (const d of drawings) {
    const text = await render(d, format, options);
    if (!o.out) {
      process.stdout.write(text);
      continue;
    }
    const file = outFile(o.out, d, drawings.length);
    writeFileSafely(file, text, { mkdir: true });
    process.stderr.write(`wrote ${file} (${format}, ${d.graph.nodes.length} nodes)\n`);
  }
  return EXIT.ok;
}

/** Add the `viz` command to `program`. */
export function vizCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program
    .command('viz')
    .description('draw a graph: text with folded time steps, Graphviz DOT, or SVG (one cluster per step, recurrent edges, gradient nodes)');
  addCellArgument(cmd, 'source', true)
    .option('--grad', 'draw the gradient graph (of loss = sum(out) for a cell, w.r.t. every input)')
    .option('--format <format>', 'text, dot or svg (default: from the --out extension, else text)', oneOf<VizFormat>('text', 'dot', 'svg'))
    .option('--out <file>', 'write here instead of stdout (several drawings get a suffix each)')
    .option('--passes', 'draw the graph before and after each optimisation pass that changes it')
    .option('--no-fold', 'draw every time step (default: fold the middle steps)')
    .option('--first-steps <k>', 'time steps drawn before the folded ones', positiveInt, 2)
    .option('--max-nodes <n>', 'node budget; the rest is one "N more nodes" marker', positiveInt, 300)
    .option('--rankdir <dir>', 'layout direction: TB (top to bottom) or LR', oneOf('TB', 'LR'), 'TB')
    .option('--core', 'colour the recurrent core (what a state flows through from step to step) apart from the time-parallel work (dot, svg)');
  addSizeOptions(cmd, { ...DEFAULT_SIZES, dtype: 'keep' }).action(async (target: string | undefined, o: VizCommandOptions) => setExit(await runViz(target, o)));
  return cmd;
}
