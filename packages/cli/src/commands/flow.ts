/**
 * `cellgrad flow`: measure a cell's gradient flow on a batch of a task — ‖∂L/∂h(t)‖ for every step
 * and ‖∂h(T)/∂h(t)‖ by power iteration — at its seeded initialisation or at the parameters of a
 * training checkpoint. Prints a table (or `--json`).
 */
import type { Command } from 'commander';
import { taskBatch, flowPoints, formatFlow, gradientFlow, initModel, modelOf, type TrainConfig } from '@cellgrad/cells';
import { loadCheckpoint } from '@cellgrad/cells/node';
import { EXIT, usage } from '../errors.js';
import { positiveInt } from '../options.js';
import { addModelOptions, resolveModel, type ModelOptions } from './train-options.js';
import { addNetworkOptions, networkConfig, type NetworkOptions } from './model-options.js';

/** Parsed options of `flow`. */
export interface FlowCommandOptions extends ModelOptions, NetworkOptions {
  readonly checkpoint?: string;
  readonly points?: number[];
  readonly power: number;
  readonly json?: boolean;
}

function pointsOption(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p))) usage(`--points: expected comma-separated step numbers, got '${value}'`);
  return parts.map(Number);
}

/** Run the command; returns the exit code. */
export async function runFlow(o: FlowCommandOptions): Promise<number> {
  const { label, cell, task } = await resolveModel(o);
  const config: TrainConfig = { cell, task, hidden: o.hidden, batch: o.batch, seed: o.seed, optimizer: { kind: 'adam' }, lr: 1, ...networkConfig(o) };
  const spec = { ...modelOf(config), dtype: 'float64' as const };
  const params = initModel(spec, o.seed);
  if (o.checkpoint) {
    const snap = loadCheckpoint(o.checkpoint);
    for (const [p, v] of Object.entries(params)) {
      const saved = snap.params[p];
      if (!saved || saved.length !== v.length)
        usage(`checkpoint ${o.checkpoint} does not fit ${label} with hidden ${o.hidden} on ${task.name} (parameter '${p}')`);
      v.set(saved);
    }
  }
  const points = o.points ?? flowPoints(task.steps);
  const bad = points.find((t) => t >= task.steps);
  if (bad !== undefined) usage(`--points: step ${bad} is outside the sequence (0..${task.steps - 1})`);
  const batch = taskBatch(task, o.seed, 'heldout', 0, o.batch);
  const report = gradientFlow(spec, params, batch, { points, iterations: o.power, seed: o.seed });
  if (o.json) process.stdout.write(`${JSON.stringify({ ...report, cell: label, task: task.name })}\n`);
  else process.stdout.write(`${formatFlow({ ...report, cell: label })}\n`);
  return EXIT.ok;
}

/** Add the `flow` command to `program`. */
export function flowCommand(program: Command, setExit: (code: number) => void): Command {
  const cmd = program.command('flow').description('gradient-flow diagnostics: |dL/dh(t)| per step and |dh(T)/dh(t)| by power iteration');
  addNetworkOptions(addModelOptions(cmd, { hidden: 32, batch: 8 }))
    .option('--checkpoint <file>', 'use the parameters of a training checkpoint (default: the seeded initialisation)')
    .option('--points <list>', 'steps at which to estimate |dh(T)/dh(t)| (comma-separated)', pointsOption)
    .option('--power <n>', 'power iterations per step', positiveInt, 8)
    .option('--json', 'print the report as one JSON object')
    .action(async (o: FlowCommandOptions) => setExit(await runFlow(o)));
  return cmd;
}
