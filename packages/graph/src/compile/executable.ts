/**
 * Building an executable from a graph: fusion decides the steps and views, memory planning places
 * every buffer in one arena, then each step becomes a closure (a generated loop, a matmul kernel
 * call, or a reference kernel on arena aliases). `run` copies the feeds in and calls the closures;
 * it allocates nothing but what `checkFeeds` needs to convert nested-array feeds.
 */
import type { DType, TypedArray } from '../ir/dtype.js';
import { fail } from '../ir/errors.js';
import type { Graph } from '../ir/node.js';
import { sizeOf } from '../ir/shape.js';
import { getOp } from '../ops/registry.js';
import { checkFeeds, type Feeds } from '../exec/feeds.js';
import type { NDArray } from '../ir/ndarray.js';
import type { Outputs } from '../exec/interpret.js';
import { fuseElementwise } from './schedule/fuse-elementwise.js';
import { planMemory } from './schedule/plan-memory.js';
import { bytesPerElement, checkMemoryBudget, DEFAULT_MAX_BYTES } from '../exec/memory-budget.js';
import { generateJoin, generateReduce, generateStep, type CodegenContext, type InstructionFn } from './js/codegen.js';
import { fallbackStep, matmulStep } from './js/kernels.js';
import { generateScan } from './js/scan.js';
import { chunkScratchElements, generateChunkedScan } from './js/scan-chunked-step.js';
import { generateLogScan } from './js/log-scan.js';
import { useChunkedScan, type ScanAlgorithm } from './js/scan-chunked.js';
import { packOperand, planPacking, type PackedOperand } from './wasm/pack.js';
import { simdConcat, simdLoop, type SimdLoop } from './wasm/simd-loops.js';
import { SimdSteps, type SimdKernel } from './wasm/simd-steps.js';
import { threadScans, type ChunkedScanSplit, type ColumnScanSplit } from './threads/scan-splits.js';
import { simdReduce } from './wasm/simd-reduce.js';
import type { KernelSet } from './js/kernel-set.js';
import { loopStep, type BodyPlan } from './loop-step.js';

/** What a compiled plan holds, for reports and the benchmark. */
export interface PlanStats {
  /** Steps run per call. */
  readonly steps: number;
  /** Generated fused loops, and the graph nodes they compute. */
  readonly fusedGroups: number;
  /** Fused loops, copies and concatenation parts run as generated WebAssembly SIMD (float32). */
  readonly simdLoops: number;
  readonly fusedNodes: number;
  /** Layout ops read in place through strided views (no step). */
  readonly views: number;
  /** Dense copies of views that a kernel needed. */
  readonly copies: number;
  readonly matmuls: number;
  /** Generated reductions, concats and pads. */
  readonly reductions: number;
  /** Generated linear scans (`linear_scan`, `log_linear_scan`: one loop over time, columns innermost). */
  readonly scans: number;
  /** Of those, the scans run chunked (`compile`'s `scan` option; `scan-chunked.ts`). */
  readonly chunkedScans: number;
  /** Loop nodes, each running its body's own compiled plan T times. */
  readonly loops: number;
  /** Steps of those bodies' plans (run once per time step). */
  readonly loopBodySteps: number;
  /** Steps that run an op's reference kernel (softmax, log_softmax, ops registered by users). */
  readonly fallbacks: number;
  /** Outputs written in place over a dying input. */
  readonly inPlace: number;
  /** Right operands of matrix products packed once per run (shared weights). */
  readonly packed: number;
  /** Arena size in bytes, and what the buffers would take without reuse. */
  readonly arenaBytes: number;
  readonly unplannedBytes: number;
  /** Which matrix-product kernel runs. */
  readonly matmulKernel: string;
  /** Threads the plan runs on (`compile(g, { threads })`; 1 where the platform has no shared-memory workers). */
  readonly threads: number;
  /**
   * Steps split over the threads: products, fused loops, copies, concatenation parts, column sums
   * and linear scans big enough to pay for waking the workers (0 on one thread). `profile` labels
   * them `· n threads`.
   */
  readonly threaded: number;
}

/** A compiled graph. */
export interface Executable {
  /** The graph as compiled (cast to the executable's dtype). */
  readonly graph: Graph;
  readonly dtype: DType;
  readonly stats: PlanStats;
  /**
   * Run on `feeds` (same rules and errors as `interpret`). The returned arrays are views into the
   * executable's arena: valid until the next `run`. Copy them (e.g. `data.slice()`) to keep them.
   */
  run(feeds: Feeds): Outputs;
  /** The generated source of every fused loop, for inspection. */
  source(): string;
  /**
   * Where the time goes: one warm-up run, then `runs` runs (default 10) timing every step (the
   * inputs are fed once per run, as `run` does). Steps are grouped by what they are (e.g.
   * `matmul 16×64 · 64×256`, `fused loop 16×256, 14 ops (wasm simd)`), most expensive first.
   * The outputs afterwards are those of the last run.
   * @example
   * for (const e of exe.profile(feeds).slice(0, 5)) console.log(e.label, e.msPerRun.toFixed(3), e.share);
   */
  profile(feeds: Feeds, runs?: number): ProfileEntry[];
  /**
   * Stop the executable's worker threads (`compile(g, { threads })` > 1); a run afterwards fails.
   * Optional: the workers never keep the process alive. A no-op for single-threaded plans.
   */
  dispose(): void;
}

/** One line of a profile: the steps of one kind and shape, and the time they take per run. */
export interface ProfileEntry {
  readonly label: string;
  /** Steps in the plan with this label. */
  readonly steps: number;
  /** Their total milliseconds per run. */
  readonly msPerRun: number;
  /** Their fraction of the timed total (0..1). */
  readonly share: number;
}

const REDUCTIONS = new Set(['sum', 'mean', 'max']);
/**
 * SIMD steps whose work (elements × operations, `SimdKernel.split`) is at least this are split over
 * the worker threads; smaller ones cost less than handing a share to a worker. Measured here: a
 * loop of tanh and sigmoid over 4096 floats (13 µs) ran 1.75× faster on two threads, one of 20
 * multiply-adds over 65536 floats 1.85×; memory-bound loops (an add, a column sum of 131072 floats)
 * were no faster, hence copies and sums weigh little (see `simd-loops.ts`, `simd-reduce.ts`).
 */
const THREAD_MIN_WORK = 150000;
/** Work per element of a linear scan (a multiply-add, and a dependency on the step before). */
const SCAN_COST = 2;

/** The value of a node equal to one number everywhere (fill, one-element constant). */
function constantValue(g: Graph, id: number): number | undefined {
  const node = g.nodes[id]!;
  if (node.op === 'fill') return node.attrs.value as number;
  if (node.op === 'constant' && sizeOf(node.shape) === 1) return (node.attrs.data as number[])[0];
  return undefined;
}

/** Build the executable of `g` (already cast to `dtype`) with the given kernel set. */
export function buildExecutable(
  g: Graph,
  dtype: DType,
  kernels: KernelSet,
  options: {
    readonly simdLoops?: boolean;
    readonly threads?: number;
    readonly maxBytes?: number;
    readonly scan?: ScanAlgorithm;
    readonly scanChunk?: number;
  } = {},
): Executable {
  const simd = options.simdLoops === true && kernels.simdLoops === true;
  const fusion = fuseElementwise(g);
  const plan = planMemory(g, fusion);
  const packing = kernels.packs ? planPacking(g, fusion, plan.size) : { packs: [], byNode: new Map<number, PackedOperand>(), size: 0 };
  const planned = () => g.nodes.filter((n) => plan.offsets[n.id]! >= 0).map((n) => n.id);
  // With worker threads, the float64 scratch of every scan that may run chunked lies after the plan in
  // the arena's shared memory (8-byte aligned), where the workers running its phases see it.
  const scanAlgorithm = options.scan ?? 'auto';
  const scratchAt = new Map<number, number>();
  let arenaSize = plan.size + packing.size;
  const requested = kernels.threads === true ? (options.threads ?? 1) : 1;
  if (requested > 1) {
    const per = 8 / bytesPerElement(dtype);
    arenaSize = Math.ceil(arenaSize / per) * per;
    for (const step of fusion.steps) {
      if (step.kind === 'fused' || step.kind === 'copy') continue;
      const node = g.nodes[step.id]!;
      if (node.op !== 'linear_scan') continue;
      const [T, C] = [node.shape[0]!, sizeOf(node.shape.slice(1))];
      if (!useChunkedScan(scanAlgorithm, T, C, requested)) continue;
      scratchAt.set(node.id, arenaSize);
      arenaSize += chunkScratchElements(T, C, bytesPerElement(dtype), options.scanChunk);
    }
  }
  checkMemoryBudget(g, 'the compiled plan', arenaSize * bytesPerElement(dtype), options.maxBytes ?? DEFAULT_MAX_BYTES, planned);
  const {
    arena,
    kernel,
    name,
    instantiate,
    dispose,
    startThreads,
    threadsMatmul,
    threads = 1,
  } = kernels.create(dtype, arenaSize, { threads: options.threads ?? 1 });
  const simdSteps = simd && instantiate ? new SimdSteps() : undefined;
  const offsets = plan.offsets;
  const ctx: CodegenContext = { graph: g, fusion, offsets, dtype, constantValue: (id) => constantValue(g, id) };
  const alias = (id: number): TypedArray => arena.subarray(offsets[id]!, offsets[id]! + sizeOf(g.nodes[id]!.shape));

  for (const id of fusion.sources) {
    const node = g.nodes[id]!;
    if (node.op !== 'input') getOp(node.op).kernel({ inputs: [], out: { shape: node.shape, data: alias(id) }, attrs: node.attrs });
  }
  const sources: string[] = [];
  const fns: InstructionFn[] = [];
  /** What each step is, for `profile`. */
  const labels: string[] = [];
  const dims = (shape: readonly number[]) => (shape.length === 0 ? 'scalar' : shape.join('×'));
  const label = (text: string) => {
    while (labels.length < fns.length) labels.push(text);
  };
  let runs = 0;
  let fusedGroups = 0,
    fusedNodes = 0,
    copies = 0,
    matmuls = 0,
    reductions = 0,
    scans = 0,
    chunkedScans = 0,
    loops = 0,
    loopBodySteps = 0,
    fallbacks = 0;
  /** Steps split over the worker threads; linear scans to split by columns (generated JavaScript, shipped to the workers). */
  const threadedSteps = new Set<number>();
  const scanSplits: ColumnScanSplit[] = [];
  /** Chunked scans whose reduce and apply phases are split over the threads by chunk ranges. */
  const chunkSplits: ChunkedScanSplit[] = [];
  // A loop body is compiled once, as its own plan on one thread (its products are one step's). The
  // pipeline's 'loops' pass has optimised it already when the plan was optimised.
  const compileBody = (body: Graph): BodyPlan => {
    const exe = buildExecutable(body, dtype, kernels, { ...options, threads: 1 });
    return bodyPlans.get(exe)!;
  };
  let parts: SimdLoop[] | undefined;
  let reduce: SimdKernel | undefined;
  for (const step of fusion.steps) {
    if (step.kind === 'fused' || step.kind === 'copy') {
      const loop = simdSteps && simdLoop(ctx, step);
      if (loop) {
        fns.push(simdSteps.add(loop, fns.length));
        label(
          step.kind === 'copy' ? `copy ${dims(g.nodes[step.id]!.shape)} (wasm simd)` : `fused loop ${dims(step.shape)}, ${step.members.length} ops (wasm simd)`,
        );
        if (step.kind === 'copy') copies++;
        else {
          fusedGroups++;
          fusedNodes += step.members.length;
        }
        continue;
      }
      const { fn, source } = generateStep(ctx, step, arena);
      fns.push(fn);
      label(step.kind === 'copy' ? `copy ${dims(g.nodes[step.id]!.shape)} (js)` : `fused loop ${dims(step.shape)}, ${step.members.length} ops (js)`);
      sources.push(source);
      if (step.kind === 'copy') copies++;
      else {
        fusedGroups++;
        fusedNodes += step.members.length;
      }
      continue;
    }
    const node = g.nodes[step.id]!;
    const views = fusion.inputViews[step.id]!;
    const ins = node.inputs.map((i) => dims(g.nodes[i]!.shape));
    if (node.op === 'matmul') {
      const pack = packing.byNode.get(node.id);
      const ensure =
        pack &&
        (() => {
          if (pack.packedIn === runs) return;
          packOperand(arena, pack, offsets);
          pack.packedIn = runs;
        });
      fns.push(matmulStep(node, views, offsets, kernel, pack && ensure ? { offset: pack.offset, ensure } : undefined));
      const [a, b] = [views[0]!.shape, views[1]!.shape];
      const m = sizeOf(node.shape) / b[b.length - 1]! / Math.max(1, sizeOf(node.shape.slice(0, -2)));
      if (threadsMatmul?.(m, a[a.length - 1]!, b[b.length - 1]!)) threadedSteps.add(fns.length - 1);
      label(`matmul ${ins.join(' · ')}`);
      matmuls++;
    } else if (simdSteps && node.op === 'concat' && (parts = simdConcat(ctx, node.id))) {
      for (const loop of parts) fns.push(simdSteps.add(loop, fns.length));
      label(`concat → ${dims(node.shape)} (wasm simd)`);
      reductions++;
    } else if (simdSteps && (reduce = simdReduce(g, fusion, offsets, node.id))) {
      fns.push(simdSteps.add(reduce, fns.length));
      label(`${node.op} ${ins.join(', ')} → ${dims(node.shape)} (wasm simd)`);
      reductions++;
    } else if (REDUCTIONS.has(node.op) || node.op === 'concat' || node.op === 'pad') {
      const { fn, source } = REDUCTIONS.has(node.op) ? generateReduce(ctx, step.id, arena) : generateJoin(ctx, step.id, arena);
      fns.push(fn);
      label(`${node.op} ${ins.join(', ')} → ${dims(node.shape)}`);
      sources.push(source);
      reductions++;
    } else if (node.op === 'linear_scan' && useChunkedScan(scanAlgorithm, node.shape[0]!, sizeOf(node.shape.slice(1)), threads)) {
      const at = threads > 1 ? scratchAt.get(node.id) : undefined;
      const { fn, source, chunks, body, phase } = generateChunkedScan(ctx, step.id, arena, options.scanChunk, at);
      fns.push(fn);
      if (at !== undefined && chunks.count > 1) chunkSplits.push({ index: fns.length - 1, count: chunks.count, body, phase });
      label(`linear_scan ${dims(node.shape)}${node.attrs.reverse === true ? ' reverse' : ''} chunked ${chunks.count}×${chunks.length}`);
      sources.push(source);
      scans++;
      chunkedScans++;
    } else if (node.op === 'linear_scan') {
      const { fn, source, columns } = generateScan(ctx, step.id, arena);
      fns.push(fn);
      if (columns.count * node.shape[0]! * SCAN_COST >= THREAD_MIN_WORK && columns.count >= 32) scanSplits.push({ index: fns.length - 1, ...columns });
      label(`linear_scan ${dims(node.shape)}${node.attrs.reverse === true ? ' reverse' : ''}`);
      sources.push(source);
      scans++;
    } else if (node.op === 'log_linear_scan') {
      const { fn, source } = generateLogScan(ctx, step.id, arena);
      fns.push(fn);
      label(`log_linear_scan ${dims(node.shape)}${node.attrs.reverse === true ? ' reverse' : ''}`);
      sources.push(source);
      scans++;
    } else if (node.op === 'loop') {
      const { fn, body } = loopStep(node, views, offsets, arena, compileBody);
      fns.push(fn);
      label(`loop ×${views[node.attrs.carries as number]!.shape[0]} (${body.steps} steps per body)`);
      loops++;
      loopBodySteps += body.steps;
    } else {
      fns.push(fallbackStep(node, views, offsets, arena));
      label(`${node.op} ${dims(node.shape)} (reference kernel)`);
      fallbacks++;
    }
  }

  if (simdSteps) {
    simdSteps.link(fns, instantiate!);
    sources.push(simdSteps.source());
  }
  const started = startThreads?.([...scanSplits.map((s) => s.body), ...chunkSplits.map((s) => s.body)]);
  if (started && simdSteps) for (const i of simdSteps.thread(fns, started.pool, (fn) => started.tableIndex(1, fn), THREAD_MIN_WORK)) threadedSteps.add(i);
  if (started) for (const i of threadScans(started, fns, scanSplits, chunkSplits)) threadedSteps.add(i);
  for (const i of threadedSteps) labels[i] += ` · ${threads} threads`;
  const inputs = g.inputs.map((p) => offsets[p.id]!);
  const outputs: Outputs = {};
  const outputBuffers: TypedArray[] = [];
  g.outputs.forEach((p, k) => {
    const v = fusion.outputViews[k]!;
    const off = offsets[v.base]! + v.offset;
    const value = { shape: g.nodes[p.id]!.shape, data: arena.subarray(off, off + sizeOf(v.shape)) } satisfies NDArray;
    outputBuffers.push(value.data);
    // defineProperty: an output may be named like an Object.prototype member (e.g. "__proto__").
    Object.defineProperty(outputs, p.name, { value, enumerable: true, writable: true, configurable: true });
  });
  const bytes = dtype === 'float64' ? 8 : 4;
  const views = g.nodes.filter((n) => fusion.views[n.id]!.base !== n.id).length;
  const stats: PlanStats = {
    steps: fns.length,
    fusedGroups,
    simdLoops: simdSteps?.count ?? 0,
    fusedNodes,
    views,
    copies,
    matmuls,
    reductions,
    scans,
    chunkedScans,
    loops,
    loopBodySteps,
    fallbacks,
    inPlace: plan.inPlace,
    packed: packing.packs.length,
    arenaBytes: arenaSize * bytes,
    unplannedBytes: plan.unplannedSize * bytes,
    matmulKernel: name,
    threads,
    threaded: threadedSteps.size,
  };
  const feed = (feeds: Feeds) => {
    const fed = checkFeeds(g, feeds);
    for (let i = 0; i < fed.length; i++) arena.set(fed[i]!.data, inputs[i]!);
    runs++;
  };
  const exe: Executable = {
    graph: g,
    dtype,
    stats,
    run(feeds: Feeds): Outputs {
      feed(feeds);
      for (let i = 0; i < fns.length; i++) fns[i]!();
      return outputs;
    },
    source: () => sources.join('\n\n'),
    dispose: () => {
      disposed.add(exe);
      dispose?.();
    },
    profile(feeds: Feeds, runs = 10): ProfileEntry[] {
      if (!Number.isInteger(runs) || runs < 1) fail('usage', `profile: runs must be a positive integer, got ${JSON.stringify(runs)}`);
      this.run(feeds);
      const times = new Float64Array(fns.length);
      for (let r = 0; r < runs; r++) {
        feed(feeds);
        for (let i = 0; i < fns.length; i++) {
          const t = performance.now();
          fns[i]!();
          times[i]! += performance.now() - t;
        }
      }
      return summarize(labels, times, runs);
    },
  };
  bodyPlans.set(exe, {
    inputs: g.inputs.map((p, i) => arena.subarray(inputs[i]!, inputs[i]! + sizeOf(g.nodes[p.id]!.shape))),
    outputs: outputBuffers,
    run: () => {
      for (let i = 0; i < fns.length; i++) fns[i]!();
    },
    steps: fns.length,
  });
  return exe;
}

const disposed = new WeakSet<Executable>();
/** The buffers and runner of every executable, for the loop steps that run one as their body. */
const bodyPlans = new WeakMap<Executable, BodyPlan>();

/** True once `exe.dispose()` was called (`compile` then builds a fresh executable). */
export function isDisposed(exe: Executable): boolean {
  return disposed.has(exe);
}

/** Group per-step times by label: steps, ms per run, share of the total; most expensive first. */
function summarize(labels: readonly string[], times: Float64Array, runs: number): ProfileEntry[] {
  const byLabel = new Map<string, { steps: number; ms: number }>();
  let total = 0;
  labels.forEach((l, i) => {
    const e = byLabel.get(l) ?? { steps: 0, ms: 0 };
    e.steps++;
    e.ms += times[i]!;
    total += times[i]!;
    byLabel.set(l, e);
  });
  return [...byLabel]
    .map(([label, e]) => ({ label, steps: e.steps, msPerRun: e.ms / runs, share: total > 0 ? e.ms / total : 0 }))
    .sort((a, b) => b.msPerRun - a.msPerRun);
}
