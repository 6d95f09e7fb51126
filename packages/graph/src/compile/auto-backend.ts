/**
 * `compile(g, { backend: 'auto' })`: the fastest executor for this graph, chosen by measurement.
 * The graph is compiled by cellgrad's own executor and by every registered external backend (ONNX
 * Runtime once `@cellgrad/onnx` is imported); each runs a warm-up and then a few timed runs on the
 * graph's own shapes (zero feeds unless `auto.feeds` gives real ones), taking turns, within a time
 * budget; the one with the lowest median time serves every later run and the others are released.
 * Because an external candidate runs asynchronously, the result is asynchronous too (`run` returns a
 * Promise, `ready` resolves to the choice); with no external backend registered it is the own executor.
 */
import { fail } from '../ir/errors.js';
import type { DType } from '../ir/dtype.js';
import type { Graph } from '../ir/node.js';
import type { Feeds } from '../exec/feeds.js';
import type { Outputs } from '../exec/interpret.js';
import type { Executable } from './executable.js';
import { externalBackend, registeredBackends, type AsyncExecutable, type ExternalBackends } from './external.js';

/** The name of an executor `auto` can choose: cellgrad's own or a registered external one. */
export type BackendName = 'cellgrad' | keyof ExternalBackends;

/** How `backend: 'auto'` measures (option `auto` of `compile`). */
export interface AutoOptions {
  /** Timed runs per backend after its warm-up run (default 5; at least 1). */
  readonly runs?: number;
  /** Stop timing once this many milliseconds have been spent timing (default 2000; every backend gets at least one timed run). */
  readonly budgetMs?: number;
  /** Feeds to time on (default: zeros of every input's shape; zeros are valid for every input, random keys included). */
  readonly feeds?: Feeds;
}

/** What `backend: 'auto'` measured and chose. */
export interface BackendChoice {
  /** The backend that runs the graph. */
  readonly backend: BackendName;
  /** Median milliseconds per run of every backend that ran, by name. */
  readonly msPerRun: Readonly<Record<string, number>>;
  /** Backends that could not run this graph, with the reason (e.g. ONNX Runtime not installed). */
  readonly skipped: Readonly<Record<string, string>>;
}

/** The executable of `compile(g, { backend: 'auto' })`: asynchronous runs on the backend measured fastest. */
export interface AutoExecutable extends Omit<AsyncExecutable, 'ready'> {
  /** Resolves to the choice once every backend is timed (`run` waits for it). */
  readonly ready: Promise<BackendChoice>;
  /** The chosen backend; undefined until `ready` resolves (set at once when no external backend is registered). */
  readonly backend: BackendName | undefined;
  /** The measured times and the choice; undefined until `ready` resolves. */
  readonly choice: BackendChoice | undefined;
}

/** One candidate: how to run it, and how to free it. */
interface Candidate {
  readonly name: string;
  run(feeds: Feeds): Promise<Outputs>;
  release(): Promise<void>;
}

/** Own-executor outputs are views into its arena: copied, so every run resolves to fresh arrays as external backends' do. */
function ownCandidate(exe: Executable): Candidate {
  return {
    name: 'cellgrad',
    run: async (feeds) => {
      const out: Outputs = {};
      for (const [k, v] of Object.entries(exe.run(feeds))) out[k] = { shape: v.shape, data: v.data.slice() };
      return out;
    },
    release: async () => undefined,
  };
}

function zeroFeeds(g: Graph): Feeds {
  const feeds: Record<string, { shape: readonly number[]; data: Float64Array }> = {};
  for (const p of g.inputs) {
    const shape = g.nodes[p.id]!.shape;
    feeds[p.name] = { shape, data: new Float64Array(shape.reduce((a, d) => a * d, 1)) };
  }
  return feeds;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const reason = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Warm up and time the candidates in turns; returns the median ms of each that ran and why the others did not. */
async function measure(candidates: Candidate[], feeds: Feeds, runs: number, budgetMs: number) {
  const skipped: Record<string, string> = {};
  let alive: Candidate[] = [];
  for (const c of candidates) {
    try {
      await c.run(feeds);
      alive.push(c);
    } catch (e) {
      skipped[c.name] = reason(e);
    }
  }
  const times = new Map<Candidate, number[]>(alive.map((c) => [c, []]));
  const began = performance.now();
  for (let r = 0; r < runs && alive.length > 0; r++) {
    if (r > 0 && performance.now() - began > budgetMs) break;
    for (const c of alive) {
      const t0 = performance.now();
      try {
        await c.run(feeds);
        times.get(c)!.push(performance.now() - t0);
      } catch (e) {
        skipped[c.name] = reason(e);
        times.delete(c);
      }
    }
    alive = alive.filter((c) => times.has(c));
  }
  const msPerRun: Record<string, number> = {};
  for (const [c, ts] of times) msPerRun[c.name] = median(ts);
  return { msPerRun, skipped, alive };
}

/**
 * The `auto` executable of `g` (already cast to `dtype`): `own` is the own executor's plan, `options`
 * the options given to `compile` (handed on to the external backends).
 */
export function autoExecutable(g: Graph, dtype: DType, own: Executable, options: Readonly<Record<string, unknown>>): AutoExecutable {
  const auto = (options.auto ?? {}) as AutoOptions;
  const runs = auto.runs ?? 5;
  const budgetMs = auto.budgetMs ?? 2000;
  if (!Number.isInteger(runs) || runs < 1) fail('usage', `compile: option auto.runs must be a positive integer, got ${JSON.stringify(runs)}`);
  if (typeof budgetMs !== 'number' || !(budgetMs >= 0))
    fail('usage', `compile: option auto.budgetMs must be a non-negative number, got ${JSON.stringify(budgetMs)}`);
  const candidates: Candidate[] = [ownCandidate(own)];
  const early: Record<string, string> = {};
  for (const name of registeredBackends() as (keyof ExternalBackends)[]) {
    try {
      const exe = externalBackend(name).compile(g, dtype, options);
      candidates.push({ name, run: (feeds) => exe.run(feeds), release: () => exe.release() });
    } catch (e) {
      early[name] = reason(e);
    }
  }
  let chosen: Candidate | undefined;
  let choice: BackendChoice | undefined;
  const ready = (async (): Promise<BackendChoice> => {
    const feeds = auto.feeds ?? zeroFeeds(g);
    const m = candidates.length === 1 ? { msPerRun: {}, skipped: {}, alive: candidates } : await measure(candidates, feeds, runs, budgetMs);
    const ranked = [...m.alive].sort((a, b) => (m.msPerRun[a.name] ?? 0) - (m.msPerRun[b.name] ?? 0));
    // The own executor is the fallback when nothing else ran (its own errors then surface on `run`).
    chosen = ranked[0] ?? candidates[0]!;
    for (const c of candidates) if (c !== chosen) await c.release().catch(() => undefined);
    choice = { backend: chosen.name as BackendName, msPerRun: m.msPerRun, skipped: { ...early, ...m.skipped } };
    return choice;
  })();
  ready.catch(() => undefined);
  return {
    dtype,
    ready,
    get backend() {
      return choice?.backend;
    },
    get choice() {
      return choice;
    },
    async run(feeds: Feeds): Promise<Outputs> {
      await ready;
      return chosen!.run(feeds);
    },
    async release(): Promise<void> {
      await ready.catch(() => undefined);
      await chosen?.release();
    },
  };
}
