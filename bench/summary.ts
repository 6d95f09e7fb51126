/**
 * The summary under the benchmark's table: each "done when" of issue 16 with the figures of this run
 * and whether it is met, so one run on a quiet machine gives the closing note's numbers directly.
 * Pure: rows in, verdicts and text out.
 */
import { formatMs } from './measure.js';
import { findRow, type Row } from './rows.js';

/** One target and what this run measured for it. */
export interface Verdict {
  /** The target, as the issue states it. */
  readonly goal: string;
  /** The measured figures and ratios, or which rows are missing. */
  readonly figures: string;
  readonly status: 'met' | 'missed' | 'not measured';
}

const ms = (x: number) => (x >= 1000 ? formatMs(x) : `${formatMs(x)} ms`);
const mb = (x: number) => (x >= 1024 ? `${(x / 1024).toFixed(2)} GB` : `${x.toFixed(0)} MB`);
const x2 = (r: number) => `${r.toFixed(2)}×`;
const measured = (r: Row | undefined): r is Row & { median_ms: number } => r?.median_ms !== undefined;
const missing = (what: string[]): Verdict['figures'] => `no figure for ${what.join(', ')}`;

/** Own executor, medium LSTM training step, one thread: at most `limit` × its product bound. */
function atTheBound(rows: readonly Row[], limit = 1.1): Verdict {
  const goal = `own executor, medium lstm_train, 1 thread: ≤ ${limit}× its product bound`;
  const r = findRow(rows, 'cellgrad', 'medium', 'lstm_train', 1);
  if (!measured(r) || r.bound_ms === undefined || r.times_bound === undefined)
    return { goal, figures: missing(['cellgrad medium lstm_train (1 thread) with its bound']), status: 'not measured' };
  const figures = `${ms(r.median_ms)} against a bound of ${ms(r.bound_ms)} (${r.product_gflop!.toFixed(2)} GFLOP at ${r.ceiling_gflops!.toFixed(1)} GFLOP/s) = ${x2(r.times_bound)}`;
  return { goal, figures, status: r.times_bound <= limit ? 'met' : 'missed' };
}

/** Own executor, medium LSTM training step: two threads at least `limit` × faster than one. */
function threadSpeedup(rows: readonly Row[], limit = 1.85): Verdict {
  const goal = `own executor, medium lstm_train: 2 threads ≥ ${limit}× faster than 1`;
  const one = findRow(rows, 'cellgrad', 'medium', 'lstm_train', 1);
  const two = findRow(rows, 'cellgrad', 'medium', 'lstm_train', 2);
  if (!measured(one) || !measured(two)) return { goal, figures: missing(['cellgrad medium lstm_train at 1 and 2 threads']), status: 'not measured' };
  const speedup = one.median_ms / two.median_ms;
  return { goal, figures: `${ms(one.median_ms)} / ${ms(two.median_ms)} = ${x2(speedup)}`, status: speedup >= limit ? 'met' : 'missed' };
}

/** ONNX Runtime (the fastest path) faster than PyTorch on medium and large LSTM and GRU training, 1 and 2 threads. */
function fastestPath(rows: readonly Row[]): Verdict[] {
  const out: Verdict[] = [];
  for (const shape of ['medium', 'large'])
    for (const c of ['lstm_train', 'gru_train']) {
      const goal = `fastest path (ONNX Runtime), ${shape} ${c}: faster than PyTorch at 1 and 2 threads`;
      const parts: string[] = [];
      const lacking: string[] = [];
      let allFaster = true;
      for (const threads of [1, 2]) {
        const ort = findRow(rows, 'onnxruntime', shape, c, threads);
        const torch = findRow(rows, 'pytorch', shape, c, threads);
        if (!measured(ort) || !measured(torch)) {
          const peers = [measured(ort) ? '' : 'onnxruntime', measured(torch) ? '' : 'pytorch'].filter(Boolean);
          lacking.push(`${peers.join(' and ')} at ${threads} thread${threads > 1 ? 's' : ''}`);
          continue;
        }
        const ratio = ort.median_ms / torch.median_ms;
        allFaster &&= ratio < 1;
        parts.push(`${threads} thread${threads > 1 ? 's' : ''}: ${ms(ort.median_ms)} vs ${ms(torch.median_ms)} (${x2(ratio)} PyTorch's time)`);
      }
      if (lacking.length > 0) out.push({ goal, figures: [...parts, missing(lacking)].join('; '), status: 'not measured' });
      else out.push({ goal, figures: parts.join('; '), status: allFaster ? 'met' : 'missed' });
    }
  return out;
}

/** long5000: build + compile of the LSTM training graph within `limitMs`, and its memory at most checkpointed BPTT's. */
function longSequence(rows: readonly Row[], limitMs = 2000): Verdict[] {
  const full = findRow(rows, 'cellgrad', 'long5000', 'lstm_train', 1);
  const ckpt = findRow(rows, 'cellgrad', 'long5000', 'lstm_train_ckpt', 1);
  const compileGoal = `long5000 lstm_train: build + compile ≤ ${ms(limitMs)}`;
  const compileVerdict: Verdict =
    full?.compile_ms === undefined
      ? { goal: compileGoal, figures: full?.skipped ? `skipped: ${full.skipped}` : missing(['cellgrad long5000 lstm_train']), status: 'not measured' }
      : {
          goal: compileGoal,
          figures: `${ms(full.compile_ms)} (unroll + loss + grad ${full.build_ms === undefined ? '—' : ms(full.build_ms)})`,
          status: full.compile_ms <= limitMs ? 'met' : 'missed',
        };
  const memoryGoal = "long5000 lstm_train: the step's memory (peak RSS) no larger than checkpointed BPTT's (lstm_train_ckpt)";
  let memoryVerdict: Verdict;
  if (full?.peak_mb === undefined || full.skipped || ckpt?.peak_mb === undefined || ckpt.skipped)
    memoryVerdict = { goal: memoryGoal, figures: missing(['cellgrad long5000 lstm_train and lstm_train_ckpt peak RSS']), status: 'not measured' };
  else {
    const arena = full.arena_mb === undefined ? '' : `, arena ${mb(full.arena_mb)}`;
    memoryVerdict = {
      goal: memoryGoal,
      figures: `peak ${mb(full.peak_mb)}${arena} vs ${mb(ckpt.peak_mb)} (${x2(full.peak_mb / ckpt.peak_mb)})`,
      status: full.peak_mb <= ckpt.peak_mb ? 'met' : 'missed',
    };
  }
  return [compileVerdict, memoryVerdict];
}

/** Every small case cellgrad and PyTorch both ran: cellgrad faster, at one thread and at two. */
function smallAhead(rows: readonly Row[]): Verdict {
  const goal = 'small cases: own executor ahead of PyTorch (1 and 2 threads)';
  const parts: string[] = [];
  let ahead = true;
  for (const ours of rows) {
    if (ours.peer !== 'cellgrad' || ours.shape !== 'small' || !measured(ours)) continue;
    const torch = findRow(rows, 'pytorch', 'small', ours.case, ours.threads);
    if (!measured(torch)) continue;
    const ratio = ours.median_ms / torch.median_ms;
    ahead &&= ratio < 1;
    parts.push(`${ours.case}${ours.threads > 1 ? ` (${ours.threads} threads)` : ''} ${x2(ratio)}`);
  }
  if (parts.length === 0) return { goal, figures: missing(['small cellgrad and pytorch rows']), status: 'not measured' };
  return { goal, figures: `cellgrad's time ÷ PyTorch's: ${parts.join(', ')}`, status: ahead ? 'met' : 'missed' };
}

/** The verdicts of issue 16's "done when", in its order. */
export function doneWhen(rows: readonly Row[]): Verdict[] {
  return [atTheBound(rows), threadSpeedup(rows), ...fastestPath(rows), ...longSequence(rows), smallAhead(rows)];
}

/** The summary as lines of text: "- goal: figures — status". */
export function formatSummary(verdicts: readonly Verdict[]): string[] {
  return verdicts.map((v) => `- ${v.goal}: ${v.figures} — ${v.status}`);
}
