/**
 * `cellgrad dynamics <cell|file.ts|checkpoint.json>`: the fixed and slow points of a cell under a
 * constant input x* with the eigenvalues of the state Jacobian at each (Sussillo & Barak), and the
 * Lyapunov spectrum along the trajectory from a fixed input; at the seeded initialisation or at a
 * training checkpoint's parameters. Prints a table, `--json`, and `--report` writes the HTML report's
 * dynamics section.
 */
import type { Command } from 'commander';
import { fixedPoints, lyapunovSpectrum, type FixedPointsReport, type LyapunovReport } from '@cellgrad/cells';
import { writeReport, type DynamicsSeries } from '@cellgrad/viz';
import { EXIT, usage } from '../errors.js';
import { addSizeOptions, positiveInt, positiveNumber } from '../options.js';
import { checkOutputs } from '../output-paths.js';
import { dynamicsSource, type DynamicsSourceOptions } from './dynamics-source.js';

/** Parsed options of `dynamics`. */
export interface DynamicsCommandOptions extends DynamicsSourceOptions {
  readonly x?: number[];
  readonly starts: number;
  readonly tolerance: number;
  readonly k?: number;
  readonly lyapunovSteps: number;
  readonly json?: boolean;
  readonly report?: string;
}

/** What `--json` prints. */
export interface DynamicsResult {
  readonly cell: string;
  readonly sizes: { readonly input: number; readonly hidden: number; readonly layers: number };
  readonly checkpoint?: { readonly file: string; readonly iteration: number; readonly task?: string };
  /** x*, the constant input. */
  readonly input: number[];
  readonly fixedPoints: FixedPointsReport;
  readonly lyapunov: LyapunovReport & { readonly k: number };
}

function numberList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  const nums = parts.map(Number);
  if (parts.some((p) => p === '') || nums.some((v) => !Number.isFinite(v))) usage(`--x: expected comma-separated numbers, got '${value}'`);
  return nums;
}

const fmt = (v: number): string => (v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(2));
const eigText = (e: { re: number; im: number }): string => (e.im === 0 ? fmt(e.re) : `${fmt(e.re)}${e.im < 0 ? '−' : '+'}${fmt(Math.abs(e.im))}i`);

/** The text the command prints. */
export function formatDynamics(r: DynamicsResult, shown = 6): string {
  const fp = r.fixedPoints;
  const from = r.checkpoint ? `checkpoint ${r.checkpoint.file}, iteration ${r.checkpoint.iteration}` : 'seeded initialisation';
  const lines = [
    `dynamics ${r.cell}: input ${r.sizes.input}, hidden ${r.sizes.hidden}, layers ${r.sizes.layers} (${from})`,
    `state s = (${fp.slots.map((s) => (r.sizes.layers > 1 ? `${s.state}@${s.layer}` : s.state)).join(', ')}), n = ${fp.stateSize}; x* = [${r.input.map(fmt).join(', ')}]`,
    `fixed and slow points: ${fp.points.length} distinct from ${fp.starts} starts (${fp.converged} with q ≤ tolerance), ${fp.evaluations} evaluations`,
  ];
  const rows = [['#', 'kind', 'q', 'max |λ|', 'stable', 'starts', `eigenvalues (largest ${Math.min(shown, fp.stateSize)} of ${fp.stateSize})`]];
  fp.points.forEach((p, i) =>
    rows.push([
      String(i + 1),
      p.kind,
      p.q === 0 ? '0' : p.q.toExponential(1),
      fmt(p.spectralRadius),
      p.stable ? 'yes' : 'no',
      String(p.count),
      p.eigenvalues.slice(0, shown).map(eigText).join(', '),
    ]),
  );
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows) lines.push(`  ${row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')}`);
  if (fp.points.length === 0) lines.push('  (none: no start reached q ≤ tolerance; try more --starts or a larger --tolerance)');
  const l = r.lyapunov;
  lines.push(
    `Lyapunov spectrum (k = ${l.k}, ${l.steps} steps at x* after ${l.warmup} warm-up, per step): ${l.exponents.map(fmt).join(', ')}`,
    `largest exponent ${fmt(l.exponents[0]!)}: ${l.exponents[0]! > 1e-3 ? 'chaotic (nearby trajectories separate)' : l.exponents[0]! < -1e-3 ? 'contracting (trajectories converge)' : 'neutral (marginal)'}`,
  );
  return lines.join('\n');
}

/** The report's dynamics entry for a result. */
export function dynamicsSeries(r: DynamicsResult): DynamicsSeries {
  const from = r.checkpoint ? `checkpoint ${r.checkpoint.file} (iteration ${r.checkpoint.iteration})` : 'seeded initialisation';
  return {
    name: `${r.cell}: fixed points and Lyapunov spectrum`,
    caption: `input ${r.sizes.input}, hidden ${r.sizes.hidden}, layers ${r.sizes.layers}, ${from}; x* = [${r.input.join(', ')}]`,
    points: r.fixedPoints.points.map((p) => ({ kind: p.kind, q: p.q, eigenvalues: p.eigenvalues })),
    lyapunov: r.lyapunov.exponents,
    lyapunovCaption: `k = ${r.lyapunov.k} exponents per step over ${r.lyapunov.steps} steps at x* (after ${r.lyapunov.warmup} warm-up steps), largest first.`,
  };
}

/** Run the command; returns the exit code. */
export async function runDynamics(target: string, o: DynamicsCommandOptions, cmd: Command): Promise<number> {
  if (o.report !== undefined) {
    const checkpoint = target.endsWith('.json') ? target : o.checkpoint;
    checkOutputs([['--report', o.report]], checkpoint !== undefined ? [['the checkpoint', checkpoint]] : []);
  }
  const src = await dynamicsSource(target, o, cmd);
  const x = o.x ?? new Array<number>(src.sizes.input).fill(0);
  if (x.length !== src.sizes.input) usage(`--x has ${x.length} values, but ${src.label} takes inputs of size ${src.sizes.input}`);
  const fixed = fixedPoints(src.cell, src.params, { sizes: src.sizes, input: x, starts: o.starts, tolerance: o.tolerance, seed: o.seed });
  const k = o.k ?? fixed.stateSize;
  if (k > fixed.stateSize) usage(`--k ${k}: the state has only ${fixed.stateSize} dimensions`);
  const inputs = Array.from({ length: o.lyapunovSteps }, () => x);
  const lyap = lyapunovSpectrum(src.cell, src.params, inputs, { sizes: src.sizes, k });
  const result: DynamicsResult = {
    cell: src.label,
    sizes: { input: src.sizes.input, hidden: src.sizes.hidden, layers: src.sizes.layers ?? 1 },
    ...(src.checkpoint ? { checkpoint: src.checkpoint } : {}),
    input: x,
    fixedPoints: fixed,
    lyapunov: { ...lyap, k },
  };
  if (o.report !== undefined) await writeReport(o.report, { title: `cellgrad dynamics: ${src.label}`, dynamics: [dynamicsSeries(result)] });
  process.stdout.write(o.json ? `${JSON.stringify(result)}\n` : `${formatDynamics(result)}\n`);
  return EXIT.ok;
}

/** Add the `dynamics` command to `program`. */
export function dynamicsCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program
    .command('dynamics')
    .description("a cell's fixed and slow points with their Jacobian eigenvalues, and its Lyapunov spectrum (seeded initialisation or a checkpoint)")
    .argument('<source>', 'a built-in cell name, a .ts/.js file exporting a cell (FILE:EXPORT for one of several), or a training checkpoint run.json');
  addSizeOptions(cmd, { input: 3, hidden: 4, layers: 1, seed: { default: 0, of: 'the initialisation and the random starts' } })
    .option('--checkpoint <file>', "use a training checkpoint's parameters and sizes (the cell must be the one it was trained with)")
    .option('--x <values>', 'the constant input x* (comma-separated, one value per input; default zeros)', numberList)
    .option('--starts <n>', 'initial states minimised (half of them random, half run 20 steps of the map first)', positiveInt, 64)
    .option('--tolerance <q>', 'keep points with q = ½‖F(s, x*) − s‖² at or below this (slow points); q ≤ 1e-16 is a fixed point', positiveNumber, 1e-6)
    .option('--k <n>', 'Lyapunov exponents computed (default: the state size)', positiveInt)
    .option('--lyapunov-steps <n>', 'steps of the trajectory at x* (a tenth are warm-up)', positiveInt, 500)
    .option('--json', 'print the result as one JSON object')
    .option('--report <file.html>', 'write an HTML report with the dynamics section (eigenvalues on the complex plane, the Lyapunov spectrum)')
    .action(async (target: string, o: DynamicsCommandOptions, c: Command) => setExit(await runDynamics(target, o, c)));
  return cmd;
}
