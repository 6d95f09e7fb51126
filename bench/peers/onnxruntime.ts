/**
 * The ONNX Runtime peer: cellgrad's own graphs of the benchmark cases (bench/cases.ts: unrolled
 * cell, loss, gradient to every weight), optionally through cellgrad's optimisation pipeline,
 * exported with `toOnnx` and run by onnxruntime-node 1.30 on the CPU with `intraOpNumThreads` threads.
 * Standalone: `tsx --conditions=@cellgrad/source bench/peers/onnxruntime.ts [--shapes small,medium]
 * [--cases lstm_train,...] [--threads 1] [--raw] [--json FILE]` prints rows shaped like bench/run.ts's,
 * plus the forward pass of ONNX's own LSTM/GRU op (the row PEERS.md has for ONNX Runtime).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cellFeeds, getBuiltinCell } from '@cellgrad/cells';
import { compileOnnx, exportRecurrentOp, openSession, toOrtTensor, type OnnxExecutable } from '@cellgrad/onnx';
import { buildCase, CASES, CHECKPOINTED, SHAPES, type CaseName, type Shape } from '../cases.js';
import { formatMs, measure } from '../measure.js';

/** A case loaded into an ORT session. */
export interface OrtCase {
  readonly run: () => Promise<void>;
  readonly dispose: () => Promise<void>;
  /** Nodes of the exported cellgrad graph, and the model size in bytes. */
  readonly nodes: number;
  readonly modelBytes: number;
}

/** Build case `c` at shape `s`, optimise it (unless `raw`), export it and open an ORT session. */
export async function onnxruntimeCase(c: CaseName, s: Shape, options: { threads?: number; raw?: boolean } = {}): Promise<OrtCase> {
  // ONNX has no mapping for `loop` nodes: the exported graph is unrolled step by step at any length.
  const { graph, feeds } = buildCase(c, s, { loop: 'never' });
  const exe: OnnxExecutable = await compileOnnx(graph, { dtype: 'float32', intraOpNumThreads: options.threads ?? 1, optimize: !options.raw });
  return {
    run: async () => void (await exe.run(feeds)),
    dispose: () => exe.release(),
    nodes: exe.graph.nodes.length,
    modelBytes: exe.model.length,
  };
}

/**
 * ONNX's own LSTM/GRU op (the `exportRecurrentOp` model) on the forward case: the figure PEERS.md
 * gives for ONNX Runtime, so measuring it here calibrates this machine against PEERS.md's.
 */
export async function recurrentOpCase(cell: 'lstm' | 'gru', s: Shape, options: { threads?: number } = {}): Promise<OrtCase> {
  const sizes = { input: s.input, hidden: s.hidden, batch: s.batch, steps: s.steps, layers: 1 };
  const values = cellFeeds(getBuiltinCell(cell), { ...sizes, dtype: 'float32' }, 1);
  const model = exportRecurrentOp(cell, values, sizes);
  const session = await openSession(model, { intraOpNumThreads: options.threads ?? 1 });
  const feeds = Object.fromEntries(session.inputNames.map((n) => [n, toOrtTensor(values[n]!, 'float32')]));
  return {
    run: async () => void (await session.run(feeds)),
    dispose: () => session.release(),
    nodes: 1,
    modelBytes: model.length,
  };
}

/** One measured row, in bench/run.ts's shape. */
export interface OrtRow {
  readonly peer: 'onnxruntime';
  readonly case: CaseName | 'lstm_fwd_onnx_op' | 'gru_fwd_onnx_op';
  readonly shape: string;
  readonly threads: number;
  readonly median_ms: number;
  readonly runs: number;
}

/**
 * Measure cases × shapes on ORT (warm-up 2, 5–30 runs within 4 s each), then the forward pass of
 * each of `recurrentOps` as ONNX's single op.
 */
export async function onnxruntimeRows(
  cases: readonly CaseName[],
  shapes: readonly Shape[],
  options: { threads?: number; raw?: boolean; recurrentOps?: readonly ('lstm' | 'gru')[] } = {},
): Promise<OrtRow[]> {
  const rows: OrtRow[] = [];
  for (const s of shapes) {
    for (const c of cases) {
      process.stderr.write(`onnxruntime ${s.name} ${c} ...\n`);
      const k = await onnxruntimeCase(c, s, options);
      const r = await measure(k.run, { warmup: 2, minRuns: 5, maxRuns: 30, budgetMs: 4000 });
      await k.dispose();
      rows.push({ peer: 'onnxruntime', case: c, shape: s.name, threads: options.threads ?? 1, median_ms: r.median, runs: r.runs });
    }
    for (const cell of options.recurrentOps ?? []) {
      process.stderr.write(`onnxruntime ${s.name} ${cell} forward as the ONNX ${cell.toUpperCase()} op ...\n`);
      const k = await recurrentOpCase(cell, s, options);
      const r = await measure(k.run, { warmup: 2, minRuns: 5, maxRuns: 30, budgetMs: 4000 });
      await k.dispose();
      rows.push({ peer: 'onnxruntime', case: `${cell}_fwd_onnx_op`, shape: s.name, threads: options.threads ?? 1, median_ms: r.median, runs: r.runs });
    }
  }
  return rows;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const shapes = (arg('shapes') ?? 'small,medium').split(',').map((n) => {
    const s = SHAPES[n];
    if (!s) throw new Error(`--shapes: unknown '${n}' (known: ${Object.keys(SHAPES).join(', ')})`);
    return s;
  });
  const cases = (arg('cases') ?? CASES.filter((c) => c !== 'mingru_train' && c !== CHECKPOINTED).join(',')).split(',') as CaseName[];
  for (const c of cases) if (!CASES.includes(c)) throw new Error(`--cases: unknown '${c}' (known: ${CASES.join(', ')})`);
  const threads = Number(arg('threads') ?? 1);
  const raw = process.argv.includes('--raw');
  const rows = await onnxruntimeRows(cases, shapes, { threads, raw, recurrentOps: ['lstm', 'gru'] });
  console.log(
    `\nONNX Runtime (onnxruntime-node 1.30, CPU, ${threads} thread${threads > 1 ? 's' : ''}, ${raw ? 'graph as built' : 'optimised graph'}), float32, median ms per step\n`,
  );
  console.log('| shape | case | onnxruntime ms | runs |\n| --- | --- | --- | --- |');
  for (const r of rows) console.log(`| ${r.shape} | ${r.case} | ${formatMs(r.median_ms)} | ${r.runs} |`);
  const json = arg('json');
  if (json) writeFileSync(json, `${JSON.stringify(rows, null, 2)}\n`);
}
