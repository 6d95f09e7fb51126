/**
 * `cellgrad profile <cell|file.ts>`: how fast a cell runs on the compiled executor — its training
 * step (unrolled over T steps, loss = mean(out²), gradient to every parameter) or, with
 * `--forward`, its forward pass: build and compile times, the median time per step, and where that
 * time goes (`Executable.profile`), step kind by step kind. float32, the plan `compile` makes.
 * A linear recurrence runs as scans (`unroll`'s `scan: 'auto'`); `--scan never` times the step
 * loop instead, and `--compare-scan` times both and prints the speed-up of the scans. `--scan-form
 * log` runs the scans in log space (`log_linear_scan`), `--scan-algorithm chunked` runs each
 * `linear_scan` chunked (`compile`'s `scan`).
 */
import type { Command } from 'commander';
import { compile, extendGraph, type ScanAlgorithm } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { cellFeeds, cellInputs, unroll, type ScanForm, type ScanMode } from '@cellgrad/cells';
import { addCellArgument, chosenCell } from '../cell-option.js';
import { resolveCells } from '../cell-source.js';
import { EXIT } from '../errors.js';
import { addSizeOptions, oneOf, positiveInt, positiveNumber, sizesOf, sizesText, type SizeOptions } from '../options.js';
import { formatTable } from '../table.js';

/** Options of `cellgrad profile`. */
export interface ProfileCommandOptions extends SizeOptions {
  readonly cell?: string;
  readonly forward?: boolean;
  readonly threads: number;
  readonly seconds: number;
  readonly top: number;
  readonly json?: boolean;
  readonly scan: ScanMode;
  readonly compareScan?: boolean;
  /** `unroll`'s `scanForm` (`--scan-form`). */
  readonly scanForm: ScanForm;
  /** `compile`'s `scan` (`--scan-algorithm`): how a linear_scan runs. */
  readonly scanAlgorithm: ScanAlgorithm;
}

/** What `--json` prints per cell. */
export interface ProfileResult {
  readonly cell: string;
  readonly mode: 'train' | 'forward';
  readonly sizes: SizeOptions;
  readonly threads: number;
  /** Steps split over the threads (`exe.stats.threaded`; 0 on one thread). */
  readonly threaded: number;
  /** True when the graph runs the recurrence as `linear_scan`s. */
  readonly scans: boolean;
  readonly nodes: number;
  readonly buildMs: number;
  readonly compileMs: number;
  readonly medianMs: number;
  readonly runs: number;
  readonly profile: readonly { readonly label: string; readonly steps: number; readonly msPerRun: number; readonly share: number }[];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Profile one cell. */
function profileCell(label: string, cell: Parameters<typeof unroll>[0], o: ProfileCommandOptions, scan: ScanMode = o.scan): ProfileResult {
  const sizes = sizesOf(o);
  const options = { ...sizes, dtype: 'float32' as const, scan, ...(scan === 'never' ? {} : { scanForm: o.scanForm }) };
  const t0 = performance.now();
  const withLoss = extendGraph(unroll(cell, options), ({ outputs }) => ({ loss: outputs.out!.square().mean() }));
  const params = cellInputs(cell, options)
    .filter((s) => s.role === 'param')
    .map((s) => s.name);
  const g = o.forward ? withLoss : grad(withLoss, { of: 'loss', wrt: params });
  const t1 = performance.now();
  const exe = compile(g, { dtype: 'float32', threads: o.threads, scan: o.scanAlgorithm });
  const t2 = performance.now();
  try {
    const feeds = cellFeeds(cell, options, 1);
    const times: number[] = [];
    for (let start = performance.now(); performance.now() - start < Math.min(500, o.seconds * 250); ) exe.run(feeds);
    for (let start = performance.now(); times.length < 3 || performance.now() - start < o.seconds * 1000; ) {
      const s = performance.now();
      exe.run(feeds);
      times.push(performance.now() - s);
    }
    const medianMs = median(times);
    const profile = exe.profile(feeds, Math.max(1, Math.min(times.length, Math.ceil(200 / Math.max(medianMs, 0.01)))));
    return {
      cell: label,
      mode: o.forward ? 'forward' : 'train',
      sizes,
      threads: o.threads,
      threaded: exe.stats.threaded,
      scans: g.nodes.some((n) => n.op === 'linear_scan' || n.op === 'log_linear_scan'),
      nodes: g.nodes.length,
      buildMs: t1 - t0,
      compileMs: t2 - t1,
      medianMs,
      runs: times.length,
      profile,
    };
  } finally {
    exe.dispose();
  }
}

const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(3));

function report(r: ProfileResult, top: number): string {
  const what = r.mode === 'train' ? 'training step (forward, loss = mean(out²), gradient to every parameter)' : 'forward pass';
  const rows = r.profile.slice(0, top).map((e) => [`${(e.share * 100).toFixed(1)}%`, ms(e.msPerRun), String(e.steps), e.label]);
  const rest = r.profile.length - rows.length;
  return [
    `${r.cell}: ${what}; ${sizesText(r.sizes)}; float32, ${r.threads} thread${r.threads === 1 ? '' : `s (${r.threaded} steps split)`}; ${r.scans ? 'recurrence as linear scans' : 'step by step'}`,
    `graph ${r.nodes} nodes: built in ${ms(r.buildMs)} ms, compiled in ${ms(r.compileMs)} ms`,
    `median ${ms(r.medianMs)} ms per step over ${r.runs} runs`,
    '',
    formatTable(['share', 'ms', 'steps', 'what'], rows),
    ...(rest > 0 ? [`(${rest} more kinds of step)`] : []),
  ].join('\n');
}

/** Run the command; returns the exit code. */
export async function runProfile(target: string | undefined, o: ProfileCommandOptions): Promise<number> {
  const cells = await resolveCells(chosenCell(target, o, '<cell>').spec);
  const results = cells.map(({ label, cell }) => profileCell(label, cell, o));
  // --compare-scan: the same cells step by step, for the cells that ran as scans.
  const loops = o.compareScan ? cells.map(({ label, cell }, k) => (results[k]!.scans ? profileCell(label, cell, o, 'never') : undefined)) : [];
  if (o.json) {
    const all = results.map((r, k) => (loops[k] ? { ...r, stepByStep: loops[k], scanSpeedup: loops[k]!.medianMs / r.medianMs } : r));
    process.stdout.write(`${JSON.stringify(all.length === 1 ? all[0] : all)}\n`);
    return EXIT.ok;
  }
  const parts = results.map((r, k) => {
    const loop = loops[k];
    if (!o.compareScan) return report(r, o.top);
    if (!loop) return `${report(r, o.top)}\n(not a linear recurrence: nothing to compare with)`;
    const speedup = `scans ${ms(r.medianMs)} ms vs step by step ${ms(loop.medianMs)} ms per training step: ${(loop.medianMs / r.medianMs).toFixed(1)}× faster`;
    return `${report(r, o.top)}\n\n${report(loop, o.top)}\n\n${r.cell}: ${speedup}`;
  });
  process.stdout.write(`${parts.join('\n\n')}\n`);
  return EXIT.ok;
}

/** Add the `profile` command to `program`. */
export function profileCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program.command('profile').description("time a cell's training step (or forward pass) on the compiled executor and show where the time goes");
  addCellArgument(cmd, 'cell')
    .option('--forward', 'the forward pass only (default: a training step)')
    .option('--threads <n>', 'threads: products, fused loops, sums and scans big enough are split (steps marked · n threads)', positiveInt, 1)
    .option('--seconds <s>', 'how long to time runs', positiveNumber, 2)
    .option('--top <n>', 'kinds of step to list', positiveInt, 10)
    .option('--json', 'print the figures as JSON')
    .option('--scan <mode>', 'auto (a linear recurrence runs as scans), always, or never (step by step)', oneOf<ScanMode>('auto', 'always', 'never'), 'auto')
    .option('--compare-scan', 'also time a linear cell step by step and print the speed-up of the scans')
    .option('--scan-form <form>', 'direct (linear_scan) or log (log_linear_scan; positive coefficients only)', oneOf<ScanForm>('direct', 'log'), 'direct')
    .option(
      '--scan-algorithm <a>',
      'how the compiled plan runs each linear_scan: auto, sequential (one loop over time) or chunked (time cut into chunks)',
      oneOf<ScanAlgorithm>('auto', 'sequential', 'chunked'),
      'auto',
    );
  addSizeOptions(cmd, { input: 32, hidden: 64, batch: 16, steps: 50, layers: 1 }).action(async (target: string | undefined, o: ProfileCommandOptions) =>
    setExit(await runProfile(target, o)),
  );
  return cmd;
}
