/**
 * `pnpm bench`: cellgrad's compiled executor against TensorFlow.js (CPU and WebAssembly backends)
 * and PyTorch (when importable) on LSTM/GRU/hand-written-LSTM training and forward steps, float32,
 * one thread. Prints one table (median ms per step, ratios measured in this run, PEERS.md's PyTorch
 * figures as a labelled reference), then compile time, kernel GFLOP/s and memory.
 *
 *   pnpm bench [--shapes small,medium,large,long512,long4096] [--peers cellgrad,tfjs-wasm,tfjs-cpu,pytorch,onnxruntime]
 *              [--cases lstm_train,...,mingru_train] [--json FILE] [--profile]
 *
 * Without --cases, the long shapes run mingru_train and gru_train (cellgrad and PyTorch only: the
 * TensorFlow.js and ONNX Runtime peers implement the LSTM/GRU cases). Every cellgrad row records its
 * compile time (optimise + plan + codegen).
 *
 * --profile also prints, per cellgrad case, where a step's time goes (`Executable.profile`).
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { compile } from '@cellgrad/graph';
import { buildCase, CASES, defaultCases, SHAPES, type CaseName, type Shape } from './cases.js';
import { compileTime, gflops, peakRssMb } from './extras.js';
import { formatMs, measure, type Budget } from './measure.js';
import { tfjsCase, useBackend } from './peers/tfjs.js';
import { PEERS_MD_TORCH, torchCase, torchUnavailable } from './peers/torch.js';
import { onnxruntimeCase } from './peers/onnxruntime.js';

const PEERS = ['cellgrad', 'tfjs-wasm', 'tfjs-cpu', 'pytorch', 'onnxruntime'] as const;
type Peer = (typeof PEERS)[number];

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
const casesOf = (s: Shape): readonly CaseName[] => chosenCases ?? defaultCases(s.name);
/** Cases only cellgrad and PyTorch implement. */
const OURS_AND_TORCH_ONLY: readonly CaseName[] = ['mingru_train'];
const jsonFile = option('json');
const wantProfile = process.argv.includes('--profile');
const profiles: string[] = [];

interface Row {
  peer: Peer;
  case: CaseName;
  shape: string;
  threads: number;
  median_ms: number;
  cpu_ms?: number;
  /** cellgrad: milliseconds to compile the case's graph (optimise, fuse, plan, generate code). */
  compile_ms?: number;
  runs: number;
}
const rows: Row[] = [];
const log = (s: string) => process.stderr.write(`${s}\n`);

const budgets = (peer: Peer, s: Shape): Budget => {
  const big = s.name !== 'small';
  if (peer === 'cellgrad') return { warmup: 3, warmupMs: 1500, minRuns: 5, maxRuns: 200, budgetMs: 3000 };
  if (peer === 'onnxruntime') return { warmup: 2, minRuns: 3, maxRuns: 50, budgetMs: 2000 };
  if (peer === 'tfjs-wasm') return { warmup: 1, minRuns: 1, maxRuns: big ? 3 : 7, budgetMs: 3000 };
  return { warmup: big ? 0 : 1, minRuns: 1, maxRuns: 3, budgetMs: 2000 };
};

async function runCellgrad(
  s: Shape,
  c: CaseName,
  threads = 1,
): Promise<{ ms: number; cpu: number; runs: number; arena: number; unplanned: number; compileMs: number }> {
  const { graph, feeds } = buildCase(c, s);
  const compileStart = performance.now();
  const exe = compile(graph, { dtype: 'float32', threads });
  const compileMs = performance.now() - compileStart;
  const r = await measure(() => void exe.run(feeds), budgets('cellgrad', s));
  exe.dispose();
  if (wantProfile && threads === 1) {
    const entries = exe.profile(feeds, s.name === 'small' ? 50 : 5);
    const total = entries.reduce((a, e) => a + e.msPerRun, 0);
    profiles.push(`${s.name} ${c} (${total >= 1000 ? formatMs(total) : `${formatMs(total)} ms`} per step while timed):`);
    for (const e of entries.slice(0, 6))
      profiles.push(`  ${(e.share * 100).toFixed(1).padStart(5)}%  ${formatMs(e.msPerRun).padStart(6)} ms  ${String(e.steps).padStart(4)}×  ${e.label}`);
  }
  return { ms: r.median, cpu: r.cpu, runs: r.runs, arena: exe.stats.arenaBytes, unplanned: exe.stats.unplannedBytes, compileMs };
}

const memory: string[] = [];
const torchWhy = peers.includes('pytorch') ? torchUnavailable() : 'not selected';

// Peers run case by case, right after cellgrad, so that every ratio compares runs made under the
// same machine load.
let cellgradPeakRss = 0;
for (const s of shapes) {
  for (const c of casesOf(s)) {
    if (peers.includes('cellgrad')) {
      log(`cellgrad ${s.name} ${c} ...`);
      const r = await runCellgrad(s, c);
      rows.push({ peer: 'cellgrad', case: c, shape: s.name, threads: 1, median_ms: r.ms, cpu_ms: r.cpu, compile_ms: r.compileMs, runs: r.runs });
      if (c.endsWith('train'))
        memory.push(`${s.name} ${c}: arena ${(r.arena / 2 ** 20).toFixed(1)} MB (without reuse ${(r.unplanned / 2 ** 20).toFixed(1)} MB)`);
      cellgradPeakRss = peakRssMb();
      if (cpus().length >= 2) {
        log(`cellgrad ${s.name} ${c} (2 threads) ...`);
        const r2 = await runCellgrad(s, c, 2);
        rows.push({ peer: 'cellgrad', case: c, shape: s.name, threads: 2, median_ms: r2.ms, cpu_ms: r2.cpu, compile_ms: r2.compileMs, runs: r2.runs });
      }
    }
    if (peers.includes('pytorch') && torchWhy === undefined) {
      const runs = s.name === 'small' ? 20 : s.name === 'long4096' ? 2 : 5;
      for (const threads of [1, 2]) {
        log(`pytorch ${s.name} ${c} (${threads} thread${threads > 1 ? 's' : ''}) ...`);
        rows.push({ peer: 'pytorch', case: c, shape: s.name, threads, median_ms: torchCase(c, s, runs, threads), runs });
      }
    }
    if (peers.includes('onnxruntime') && !OURS_AND_TORCH_ONLY.includes(c)) {
      log(`onnxruntime ${s.name} ${c} ...`);
      const k = await onnxruntimeCase(c, s, { threads: 1 });
      const r = await measure(k.run, budgets('onnxruntime', s));
      await k.dispose();
      rows.push({ peer: 'onnxruntime', case: c, shape: s.name, threads: 1, median_ms: r.median, cpu_ms: r.cpu, runs: r.runs });
    }
    for (const backend of ['wasm', 'cpu'] as const) {
      const peer: Peer = backend === 'wasm' ? 'tfjs-wasm' : 'tfjs-cpu';
      if (!peers.includes(peer) || OURS_AND_TORCH_ONLY.includes(c)) continue;
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
const get = (peer: Peer, shape: string, c: CaseName, threads = 1) =>
  rows.find((r) => r.peer === peer && r.shape === shape && r.case === c && r.threads === threads)?.median_ms;
const ratio = (peerMs: number | undefined, ours: number | undefined) => (peerMs === undefined || ours === undefined ? '—' : `${(peerMs / ours).toFixed(1)}×`);
const cpuOf = (peer: Peer, shape: string, c: CaseName) => rows.find((r) => r.peer === peer && r.shape === shape && r.case === c && r.threads === 1)?.cpu_ms;
const header = [
  'shape',
  'case',
  'cellgrad ms',
  'cellgrad CPU ms',
  'compile ms',
  'tfjs-wasm ms',
  'tfjs-wasm / cellgrad',
  'same, CPU time',
  'tfjs-cpu ms',
  'tfjs-cpu / cellgrad',
  'PyTorch ms (this run)',
  'PyTorch / cellgrad',
  'PyTorch 2 threads ms',
  'cellgrad 2 threads ms',
  'PyTorch / cellgrad, 2 threads',
  'ONNX Runtime ms',
  'PyTorch ms (PEERS.md, not this run)',
  'PEERS.md PyTorch / cellgrad',
];
const table: string[][] = [];
const compileOf = (shape: string, c: CaseName) => rows.find((r) => r.peer === 'cellgrad' && r.shape === shape && r.case === c && r.threads === 1)?.compile_ms;
for (const s of shapes) {
  for (const c of casesOf(s)) {
    const ours = get('cellgrad', s.name, c);
    const ref = PEERS_MD_TORCH[s.name]?.[c];
    const torch = get('pytorch', s.name, c);
    table.push([
      s.name,
      c,
      formatMs(ours),
      formatMs(cpuOf('cellgrad', s.name, c)),
      formatMs(compileOf(s.name, c)),
      formatMs(get('tfjs-wasm', s.name, c)),
      ratio(get('tfjs-wasm', s.name, c), ours),
      ratio(cpuOf('tfjs-wasm', s.name, c), cpuOf('cellgrad', s.name, c)),
      formatMs(get('tfjs-cpu', s.name, c)),
      ratio(get('tfjs-cpu', s.name, c), ours),
      torch === undefined ? 'not measured' : formatMs(torch),
      ratio(torch, ours),
      torch === undefined ? 'not measured' : formatMs(get('pytorch', s.name, c, 2)),
      formatMs(get('cellgrad', s.name, c, 2)),
      ratio(get('pytorch', s.name, c, 2), get('cellgrad', s.name, c, 2)),
      formatMs(get('onnxruntime', s.name, c)),
      formatMs(ref),
      ratio(ref, ours),
    ]);
  }
}
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
const line = (cells: string[]) => `| ${cells.map((x, i) => x.padEnd(widths[i]!)).join(' | ')} |`;
const load = loadavg()
  .map((x) => x.toFixed(1))
  .join(' ');
console.log(`\ncellgrad benchmark — float32, median wall ms per step (Node ${process.version}, ${cpus().length} CPUs, load average ${load})\n`);
console.log(line(header));
console.log(line(widths.map((w) => '-'.repeat(w))));
for (const r of table) console.log(line(r));
if (torchWhy !== undefined)
  console.log(
    `\nnot measured: PyTorch (${torchWhy}). The PyTorch column "PEERS.md" is PyTorch 1.13 + OpenBLAS, 1 thread, measured on a machine of the same kind, NOT in this run.`,
  );
console.log('"cellgrad CPU ms": median CPU time of the process per step (differs from wall time when the machine is shared).');
console.log(
  'Ratios > 1× mean cellgrad is faster. Threads: every figure is single-threaded (cellgrad with threads: 1; tfjs-wasm, ONNX Runtime and PyTorch pinned to 1) except the two "2 threads" columns (cellgrad: compile(g, { threads: 2 }), matrix products split over a worker thread).',
);

if (profiles.length > 0) {
  console.log("\nWhere cellgrad's time goes (share, ms per step, steps, what they are; top 6 per case):");
  for (const p of profiles) console.log(p);
}

// ---- extras ----
const small = SHAPES.small!;
const ms = (x: number) => (x >= 1000 ? formatMs(x) : `${formatMs(x)} ms`);
if (peers.includes('cellgrad')) {
  console.log('\nCompile time, LSTM training graph (small sizes: B=16 I=32 H=64):');
  for (const steps of [100, 1000]) {
    const t = compileTime(small, steps);
    console.log(`  T=${steps}: ${t.nodes} nodes; unroll+loss+grad ${ms(t.buildMs)}, optimize ${ms(t.optimizeMs)}, fuse+plan+codegen ${ms(t.planMs)}`);
  }
  console.log('\nMatrix-product kernel, float32, GFLOP/s (one thread):');
  for (const [m, k, n] of [
    [16, 64, 256],
    [32, 256, 1024],
    [3200, 128, 1024],
    [256, 256, 256],
  ] as const) {
    console.log(`  ${m}×${k}·${k}×${n}: wasm-simd ${gflops('wasm', m, k, n).toFixed(1)}, js ${gflops('js', m, k, n).toFixed(1)}`);
  }
  console.log('\nMemory of a training step (planned arena; buffers reused by liveness):');
  for (const m of memory) console.log(`  ${m}`);
  console.log(`  process peak RSS after the last cellgrad run: ${cellgradPeakRss.toFixed(0)} MB (includes the graphs and TensorFlow.js when it ran before)`);
}

if (jsonFile) {
  writeFileSync(
    jsonFile,
    `${JSON.stringify(
      rows.map(({ peer, case: c, shape, threads, median_ms, compile_ms }) => ({
        peer,
        case: c,
        shape,
        threads,
        median_ms,
        ...(compile_ms === undefined ? {} : { compile_ms }),
      })),
      null,
      2,
    )}\n`,
  );
  console.log(`\nwrote ${rows.length} rows to ${jsonFile}`);
}
