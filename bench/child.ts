/**
 * The child process of one measurement (see bench/job.ts): builds the case, compiles it (cellgrad)
 * or exports it and opens a session (ONNX Runtime), times it, and prints one result line with its
 * build and compile times, the plan's arena and product FLOPs, and the process's peak RSS. What it
 * is doing goes to stderr as it goes, so a long build shows where it is.
 *
 *   tsx --conditions=@cellgrad/source bench/child.ts '<job as JSON>'
 */
import { compile } from '@cellgrad/graph';
import { buildCase, CHECKPOINTED } from './cases.js';
import { checkpointedStep } from './checkpointed.js';
import { peakRssMb } from './extras.js';
import { productFlops } from './flops.js';
import { errorLine, resultLine, type Job, type JobResult } from './job.js';
import { formatMs, measure, type Budget } from './measure.js';
import { onnxruntimeCase } from './peers/onnxruntime.js';

const job = JSON.parse(process.argv[2] ?? '{}') as Job;
const s = job.shape;
const name = `${job.peer} ${s.name} ${job.case}${job.threads > 1 ? ` (${job.threads} threads)` : ''}`;
const phase = (what: string) => process.stderr.write(`  ${name}: ${what}\n`);
const MB = 2 ** 20;
/** What building a case's graph involves. */
const building = `unroll ${s.steps} steps + loss${job.case === 'lstm_fwd' ? '' : ' + grad'}`;
const ms = (x: number) => (x >= 1000 ? formatMs(x) : `${formatMs(x)} ms`);

/** Timing budgets: more runs for the fast small steps, at least a few for the long ones. */
function budget(): Budget {
  if (job.peer === 'onnxruntime') return { warmup: 2, minRuns: 3, maxRuns: 50, budgetMs: 2000 };
  if (s.steps >= 1000) return { warmup: 1, minRuns: 3, maxRuns: 20, budgetMs: 3000 };
  return { warmup: 3, warmupMs: 1500, minRuns: 5, maxRuns: 200, budgetMs: 3000 };
}

async function cellgrad(): Promise<JobResult> {
  phase(`build (${building}) ...`);
  const t0 = performance.now();
  const { graph, feeds } = buildCase(job.case, s);
  const built = performance.now();
  phase(`${graph.nodes.length} nodes built in ${ms(built - t0)}; optimize + compile ...`);
  const exe = compile(graph, { dtype: 'float32', threads: job.threads });
  const compiled = performance.now();
  phase(`compiled in ${ms(compiled - built)} (${exe.stats.steps} steps, arena ${(exe.stats.arenaBytes / MB).toFixed(1)} MB); timing ...`);
  try {
    const r = await measure(() => void exe.run(feeds), budget());
    const profile: string[] = [];
    if (job.profile) {
      const entries = exe.profile(feeds, s.name === 'small' ? 50 : 5);
      const total = entries.reduce((a, e) => a + e.msPerRun, 0);
      profile.push(`${s.name} ${job.case} (${ms(total)} per step while timed):`);
      for (const e of entries.slice(0, 6))
        profile.push(`  ${(e.share * 100).toFixed(1).padStart(5)}%  ${formatMs(e.msPerRun).padStart(6)} ms  ${String(e.steps).padStart(4)}×  ${e.label}`);
    }
    return {
      median_ms: r.median,
      cpu_ms: r.cpu,
      runs: r.runs,
      build_ms: built - t0,
      compile_ms: compiled - t0,
      peak_mb: peakRssMb(),
      arena_mb: exe.stats.arenaBytes / MB,
      product_flops: productFlops(exe.graph),
      ...(job.profile ? { profile } : {}),
    };
  } finally {
    exe.dispose();
  }
}

async function checkpointed(): Promise<JobResult> {
  phase('build + compile the window graphs (first step) ...');
  const t0 = performance.now();
  const step = checkpointedStep(s, job.threads);
  step.run();
  const first = performance.now() - t0;
  phase(`first step (with building and compiling) ${ms(first)}, ${step.windows} windows; timing ...`);
  const r = await measure(step.run, budget());
  // The window graphs are built and compiled inside the first step: its time less a timed step's.
  return { median_ms: r.median, cpu_ms: r.cpu, runs: r.runs, compile_ms: Math.max(0, first - r.median), peak_mb: peakRssMb() };
}

async function onnxruntime(): Promise<JobResult> {
  phase(`build (${building}), optimise, export, open a session ...`);
  const t0 = performance.now();
  const k = await onnxruntimeCase(job.case, s, { threads: job.threads });
  const ready = performance.now();
  phase(`session ready in ${ms(ready - t0)} (${k.nodes} nodes, model ${(k.modelBytes / MB).toFixed(1)} MB); timing ...`);
  try {
    const r = await measure(k.run, budget());
    return { median_ms: r.median, cpu_ms: r.cpu, runs: r.runs, compile_ms: ready - t0, peak_mb: peakRssMb() };
  } finally {
    await k.dispose();
  }
}

try {
  const result = job.peer === 'onnxruntime' ? await onnxruntime() : job.case === CHECKPOINTED ? await checkpointed() : await cellgrad();
  process.stdout.write(`${resultLine(result)}\n`);
} catch (e) {
  // The row is kept as skipped with this message; the whole error goes to stderr.
  process.stderr.write(`  ${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.stdout.write(`${errorLine(e)}\n`);
  process.exit(1);
}
// ONNX Runtime's and the matmul pool's threads must not keep the child alive.
process.exit(0);
