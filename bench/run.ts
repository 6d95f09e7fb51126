/**
 * `pnpm bench`: cellgrad's compiled executor against PyTorch (when importable), ONNX Runtime running
 * cellgrad's exported graphs, and TensorFlow.js (CPU and WebAssembly backends) on LSTM/GRU/
 * hand-written-LSTM/minGRU training and forward steps, float32, at one and two threads. It first
 * measures this machine's matrix-product ceiling for cellgrad's kernel, then prints one table
 * (median ms per step; each cellgrad case's product bound, build + compile time, arena and peak RSS;
 * ratios measured in this run), a memory and compile table of every measured row, and a summary of
 * issue 16's targets with this run's ratios. `pnpm bench --help` lists the options.
 *
 * cellgrad and ONNX Runtime rows are each measured in a child process (bench/child.ts), so a row's
 * peak RSS is its own and a build past `--timeout` is stopped and shown as skipped.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { measureCeiling, productText, type Ceiling } from './ceiling.js';
import { CASES, CHECKPOINTED, defaultCases, SHAPES, type CaseName, type Shape } from './cases.js';
import { compileTime } from './extras.js';
import { formatMs, measure, type Budget } from './measure.js';
import { tfjsCase, useBackend } from './peers/tfjs.js';
import { PEERS_MD_TORCH, torchCase, torchUnavailable } from './peers/torch.js';
import { boundFields, findRow, jsonRow, PEERS, type Peer, type Row } from './rows.js';
import { runJob } from './spawn.js';
import { doneWhen, formatSummary } from './summary.js';

const HELP = `pnpm bench [options]

  --shapes LIST   small, medium, large, long512, long4096, long5000 (default: small,medium)
  --peers LIST    cellgrad, tfjs-wasm, tfjs-cpu, pytorch, onnxruntime (default: all)
  --cases LIST    lstm_train, lstm_fwd, gru_train, custom_train, mingru_train, lstm_train_ckpt
                  (default per shape: every case but lstm_train_ckpt; long512/long4096: mingru_train,gru_train;
                  long5000: lstm_train,lstm_train_ckpt)
  --threads LIST  thread counts for cellgrad, ONNX Runtime and PyTorch (default: 1,2)
  --timeout S     stop one measurement (build, compile and timing of one row) after S seconds (default 600)
  --json FILE     write every row (see bench/RESULTS.md for the fields)
  --profile       print where cellgrad's time goes per case (Executable.profile)
  --help          this text`;

if (process.argv.includes('--help')) {
  console.log(HELP);
  process.exit(0);
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const v = process.argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value`);
  return v;
}

function list<T extends string>(name: string, known: readonly T[], fallback: readonly T[]): T[] {
  const raw = option(name);
  if (raw === undefined) return [...fallback];
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const x of items) if (!known.includes(x as T)) throw new Error(`--${name}: unknown '${x}' (known: ${known.join(', ')})`);
  return items as T[];
}

const shapes = list('shapes', Object.keys(SHAPES), ['small', 'medium']).map((s) => SHAPES[s]!);
const peers = list('peers', PEERS, PEERS);
const chosenCases = option('cases') === undefined ? undefined : list('cases', CASES, CASES);
const threadCounts = list('threads', ['1', '2', '3', '4'], cpus().length >= 2 ? ['1', '2'] : ['1']).map(Number);
const timeoutS = Number(option('timeout') ?? 600);
if (!(timeoutS > 0)) throw new Error(`--timeout: expected a positive number of seconds, got '${option('timeout')}'`);
const casesOf = (s: Shape): readonly CaseName[] => chosenCases ?? defaultCases(s.name);
/** Cases that neither TensorFlow.js nor ONNX Runtime runs (minGRU's linear scan; the Trainer's checkpointed step). */
const NOT_ON_TFJS_OR_ORT: readonly CaseName[] = ['mingru_train', CHECKPOINTED];
const jsonFile = option('json');
const wantProfile = process.argv.includes('--profile');
const profiles: string[] = [];
const rows: Row[] = [];
const log = (s: string) => process.stderr.write(`${s}\n`);
const threadsText = (t: number) => `${t} thread${t > 1 ? 's' : ''}`;

// ---- the product ceiling ----
const ceilings = new Map<number, Ceiling>();
if (peers.includes('cellgrad')) {
  for (const t of threadCounts) {
    log(`product ceiling, ${threadsText(t)} ...`);
    ceilings.set(t, measureCeiling(t));
  }
}

const budgets = (peer: Peer, s: Shape): Budget => {
  const big = s.name !== 'small';
  if (peer === 'tfjs-wasm') return { warmup: 1, minRuns: 1, maxRuns: big ? 3 : 7, budgetMs: 3000 };
  return { warmup: big ? 0 : 1, minRuns: 1, maxRuns: 3, budgetMs: 2000 };
};

/** Measure one cellgrad or ONNX Runtime row in a child process. */
async function childRow(peer: 'cellgrad' | 'onnxruntime', s: Shape, c: CaseName, threads: number): Promise<Row> {
  const label = `${peer} ${s.name} ${c}, ${threadsText(threads)}`;
  log(`${label} ...`);
  const outcome = await runJob(
    { peer, case: c, shape: s, threads, ...(wantProfile && threads === 1 ? { profile: true } : {}) },
    { timeoutMs: timeoutS * 1000, label },
  );
  const base = { peer, case: c, shape: s.name, threads };
  if (!outcome.ok) return { ...base, skipped: outcome.why };
  const r = outcome.result;
  if (r.profile) profiles.push(...r.profile);
  const ceiling = ceilings.get(threads)?.gflops;
  return {
    ...base,
    median_ms: r.median_ms,
    cpu_ms: r.cpu_ms,
    runs: r.runs,
    ...(r.build_ms === undefined ? {} : { build_ms: r.build_ms }),
    compile_ms: r.compile_ms,
    peak_mb: r.peak_mb,
    ...(r.arena_mb === undefined ? {} : { arena_mb: r.arena_mb }),
    ...(r.product_flops !== undefined && ceiling !== undefined ? boundFields(r.product_flops, ceiling, r.median_ms) : {}),
  };
}

const torchWhy = peers.includes('pytorch') ? torchUnavailable() : 'not selected';

// Peers run case by case, right after cellgrad, so that every ratio compares runs made under the
// same machine load.
for (const s of shapes) {
  for (const c of casesOf(s)) {
    if (peers.includes('cellgrad')) for (const t of threadCounts) rows.push(await childRow('cellgrad', s, c, t));
    if (peers.includes('pytorch') && torchWhy === undefined && c !== CHECKPOINTED) {
      const runs = s.name === 'small' ? 20 : s.steps >= 4000 ? 2 : 5;
      for (const threads of threadCounts) {
        log(`pytorch ${s.name} ${c}, ${threadsText(threads)} ...`);
        try {
          const r = torchCase(c, s, runs, threads, timeoutS * 1000);
          rows.push({ peer: 'pytorch', case: c, shape: s.name, threads, median_ms: r.median_ms, peak_mb: r.peak_mb, runs });
        } catch (e) {
          rows.push({ peer: 'pytorch', case: c, shape: s.name, threads, skipped: (e as Error).message });
        }
      }
    }
    if (peers.includes('onnxruntime') && !NOT_ON_TFJS_OR_ORT.includes(c)) for (const t of threadCounts) rows.push(await childRow('onnxruntime', s, c, t));
    for (const backend of ['wasm', 'cpu'] as const) {
      const peer: Peer = backend === 'wasm' ? 'tfjs-wasm' : 'tfjs-cpu';
      if (!peers.includes(peer) || NOT_ON_TFJS_OR_ORT.includes(c)) continue;
      await useBackend(backend);
      log(`${peer} ${s.name} ${c} ...`);
      const k = tfjsCase(c, s);
      const r = await measure(k.run, budgets(peer, s));
      k.dispose();
      rows.push({ peer, case: c, shape: s.name, threads: 1, median_ms: r.median, cpu_ms: r.cpu, runs: r.runs });
    }
  }
}

// ---- the table ----
const row = (peer: Peer, shape: string, c: CaseName, threads = 1) => findRow(rows, peer, shape, c, threads);
const msOf = (peer: Peer, shape: string, c: CaseName, threads = 1) => row(peer, shape, c, threads)?.median_ms;
/** A row's time, or why it has none. */
const cell = (peer: Peer, shape: string, c: CaseName, threads = 1) => {
  const r = row(peer, shape, c, threads);
  return r?.skipped ? 'skipped' : formatMs(r?.median_ms);
};
const ratio = (peerMs: number | undefined, ours: number | undefined) => (peerMs === undefined || ours === undefined ? '—' : `${(peerMs / ours).toFixed(1)}×`);
const times = (x: number | undefined) => (x === undefined ? '—' : `${x.toFixed(2)}×`);
const mbText = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(1));
const header = [
  'shape',
  'case',
  'cellgrad ms',
  'cellgrad CPU ms',
  'bound ms',
  '× bound',
  'build+compile ms',
  'arena MB',
  'peak MB',
  'cellgrad 2 threads ms',
  '× bound, 2 threads',
  'PyTorch ms',
  'PyTorch / cellgrad',
  'PyTorch 2 threads ms',
  'PyTorch / cellgrad, 2 threads',
  'ONNX Runtime ms',
  'ONNX Runtime 2 threads ms',
  'tfjs-wasm ms',
  'tfjs-wasm / cellgrad',
  'tfjs-cpu ms',
  'tfjs-cpu / cellgrad',
  'PyTorch ms (PEERS.md, not this run)',
  'PEERS.md PyTorch / cellgrad',
];
const table: string[][] = [];
for (const s of shapes) {
  for (const c of casesOf(s)) {
    const ours = row('cellgrad', s.name, c);
    const ours2 = row('cellgrad', s.name, c, 2);
    const ref = PEERS_MD_TORCH[s.name]?.[c];
    const torch = msOf('pytorch', s.name, c);
    const torchText = (t: number) => (!peers.includes('pytorch') ? '—' : torchWhy !== undefined ? 'not measured' : cell('pytorch', s.name, c, t));
    table.push([
      s.name,
      c,
      cell('cellgrad', s.name, c),
      formatMs(ours?.cpu_ms),
      formatMs(ours?.bound_ms),
      times(ours?.times_bound),
      formatMs(ours?.compile_ms),
      mbText(ours?.arena_mb),
      mbText(ours?.peak_mb),
      cell('cellgrad', s.name, c, 2),
      times(ours2?.times_bound),
      torchText(1),
      ratio(torch, ours?.median_ms),
      torchText(2),
      ratio(msOf('pytorch', s.name, c, 2), ours2?.median_ms),
      cell('onnxruntime', s.name, c),
      cell('onnxruntime', s.name, c, 2),
      cell('tfjs-wasm', s.name, c),
      ratio(msOf('tfjs-wasm', s.name, c), ours?.median_ms),
      cell('tfjs-cpu', s.name, c),
      ratio(msOf('tfjs-cpu', s.name, c), ours?.median_ms),
      formatMs(ref),
      ratio(ref, ours?.median_ms),
    ]);
  }
}

/** Print a markdown table with padded columns. */
function printTable(head: string[], body: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of body) console.log(line(r));
}

const load = loadavg()
  .map((x) => x.toFixed(1))
  .join(' ');
console.log(`\ncellgrad benchmark — float32, median wall ms per step (Node ${process.version}, ${cpus().length} CPUs, load average ${load})\n`);
for (const c of ceilings.values()) {
  const each = c.products.map((p) => `${productText(p.product)} ${p.gflops.toFixed(1)}`).join(', ');
  console.log(`product ceiling, ${threadsText(c.threads)}: ${c.gflops.toFixed(1)} GFLOP/s (wasm SIMD kernel; ${each})`);
}
if (ceilings.size > 0) console.log('');
printTable(header, table);
if (peers.includes('pytorch') && torchWhy !== undefined)
  console.log(
    `\nnot measured: PyTorch (${torchWhy}). The PyTorch column "PEERS.md" is PyTorch 1.13 + OpenBLAS, 1 thread, measured on a machine of the same kind, NOT in this run.`,
  );
console.log(
  '"bound ms": the FLOPs of the compiled plan\'s matrix products ÷ the product ceiling at that thread count; "× bound": measured ÷ bound (1 = all products at the ceiling and nothing else).',
);
console.log(
  '"build+compile ms": unroll + loss + grad + optimize + compile; "arena MB": the plan\'s buffers; "peak MB": peak RSS of the child process that built, compiled and ran the case.',
);
console.log(
  'Ratios > 1× mean cellgrad is faster. One thread except the "2 threads" columns (cellgrad: compile(g, { threads: 2 }); ONNX Runtime: 2 intra-op threads).',
);

// ---- memory and compile, every row ----
const memoryRows = rows
  .filter((r) => r.peer !== 'tfjs-wasm' && r.peer !== 'tfjs-cpu')
  .map((r) => [
    r.shape,
    r.case,
    r.peer,
    String(r.threads),
    r.skipped ? `skipped: ${r.skipped}` : formatMs(r.median_ms),
    formatMs(r.compile_ms),
    mbText(r.arena_mb),
    mbText(r.peak_mb),
  ]);
if (memoryRows.length > 0) {
  console.log('\nCompile time and memory of every row (compile ms: cellgrad build + compile, ONNX Runtime build + export + session):\n');
  printTable(['shape', 'case', 'peer', 'threads', 'ms', 'compile ms', 'arena MB', 'peak MB'], memoryRows);
}

// ---- issue 16's targets ----
console.log('\nTargets (issue 16), this run:');
for (const l of formatSummary(doneWhen(rows))) console.log(l);

if (profiles.length > 0) {
  console.log("\nWhere cellgrad's time goes (share, ms per step, steps, what they are; top 6 per case):");
  for (const p of profiles) console.log(p);
}

// ---- compile time against T ----
if (peers.includes('cellgrad') && shapes.some((s) => s.name === 'small')) {
  const small = SHAPES.small!;
  const ms = (x: number) => (x >= 1000 ? formatMs(x) : `${formatMs(x)} ms`);
  console.log('\nCompile time, LSTM training graph (small sizes: B=16 I=32 H=64):');
  for (const steps of [100, 1000]) {
    const t = compileTime(small, steps);
    console.log(`  T=${steps}: ${t.nodes} nodes; unroll+loss+grad ${ms(t.buildMs)}, optimize ${ms(t.optimizeMs)}, fuse+plan+codegen ${ms(t.planMs)}`);
  }
}

if (jsonFile) {
  writeFileSync(jsonFile, `${JSON.stringify(rows.map(jsonRow), null, 2)}\n`);
  console.log(`\nwrote ${rows.length} rows to ${jsonFile}`);
}
