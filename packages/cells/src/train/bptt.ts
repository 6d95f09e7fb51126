/**
 * Backpropagation through time, three ways, all returning the loss and every parameter's gradient:
 * - `full`: one graph, the whole sequence, differentiated once;
 * - `truncated(k)`: windows of k steps; the state is carried forward across windows but the
 *   gradient stops at each window's start; the windows' gradients are summed (one update per batch),
 *   or with `perWindow` each window's gradient is applied before the next window runs (PyTorch-style
 *   TBPTT: detach the state, step the optimizer per chunk);
 * - `checkpoint(every N)`: a forward pass keeps only the states at window boundaries; the backward
 *   pass re-runs each window from its checkpoint, last window first, passing the state cotangent
 *   back. The gradients equal full BPTT's exactly (see `chainedObjective`), with less stored.
 * And two that do not go back in time at all (`rtrl/online.ts`): exact real-time recurrent learning
 * (`rtrl`, influence matrices carried forward; equal to full BPTT when updating at the end) and
 * SnAp-1 (`snap1`, its sparse approximation) and UORO (`uoro`, a rank-one unbiased estimate), all
 * optionally updating every k steps.
 */
import { grad } from '@cellgrad/autodiff';
import { CellgradError, type BackendChoice, type Feeds, type Graph, type NDArray } from '@cellgrad/graph';
import { checkBatch, windowDataFeeds, type Batch } from './batch.js';
import { checkBackend, graphRunner, isAsyncBackend, type ExecOptions, type GraphRunner } from './executor.js';
import { storedActivations, type MemoryReport, type Stored } from './memory.js';
import { buildWindow, modelLayout, type ModelSpec, type WindowGraph } from './model.js';
import { needsKey } from '../regularize/options.js';
import { onlineBackprop } from './rtrl/online.js';
import type { ParamValues } from './optimizers.js';

/** A BPTT strategy as data. */
export type BpttSpec =
  | { readonly kind: 'full' }
  | { readonly kind: 'truncated'; readonly k: number; readonly perWindow?: boolean }
  /** Recompute windows of `every` steps (default ⌈√T⌉). */
  | { readonly kind: 'checkpoint'; readonly every?: number }
  /**
   * Real-time recurrent learning: exact (`rtrl`) or SnAp-1 (`snap1`); without `every` one update per
   * sequence (exact RTRL's gradients then equal full BPTT's), with `every: k` an update every k steps.
   */
  | { readonly kind: 'rtrl' | 'snap1'; readonly every?: number }
  /** UORO: a rank-one unbiased estimate of the influence matrix from random signs drawn under run()'s key. */
  | { readonly kind: 'uoro'; readonly every?: number };

/** The strategies `backprop` knows. */
export const BPTT_KINDS = ['full', 'truncated', 'checkpoint', 'rtrl', 'snap1', 'uoro'] as const;

/** Whether the strategy applies updates inside a pass (through `run`'s update callback) rather than once after it. */
export function updatesInPass(bptt: BpttSpec): boolean {
  return (
    (bptt.kind === 'truncated' && bptt.perWindow === true) ||
    ((bptt.kind === 'rtrl' || bptt.kind === 'snap1' || bptt.kind === 'uoro') && bptt.every !== undefined)
  );
}

/** The result of one forward and backward pass. */
export interface GradResult {
  readonly loss: number;
  readonly grads: ParamValues;
}

/** Gradients of the model on a batch, by one strategy. */
export interface Backprop {
  readonly spec: BpttSpec;
  /**
   * Loss and gradients at `params` on `batch` (initial states zero). For truncated BPTT with
   * `perWindow`, `update` is called with each window's gradients and loss and may change `params`
   * in place before the next window runs; the result then holds the last window's gradients.
   * A model regularised in train mode needs `key` (`randomKey(seed)`): every window of the pass
   * draws its masks from it (masks depend on the time index, not the window), so windows see the
   * masks full BPTT sees.
   */
  run(params: ParamValues, batch: Batch, update?: (grads: ParamValues, loss: number) => void, key?: NDArray): GradResult;
  /** `run` on any backend (the only way to run on an asynchronous one: ONNX Runtime, auto). */
  runAsync(params: ParamValues, batch: Batch, update?: (grads: ParamValues, loss: number) => void, key?: NDArray): Promise<GradResult>;
  /** True when the graphs run on an asynchronous backend, so only `runAsync` works. */
  readonly async: boolean;
  /** Backend `auto`: the choice made for each graph run so far, by graph (`full`, `5-step window, backward`, ...). */
  choices(): Record<string, BackendChoice>;
  /** Stored activations of this strategy against full BPTT. */
  memory(): MemoryReport;
}

/** One graph run a pass asks for: the generator receives its outputs back. */
interface Call {
  readonly runner: GraphRunner;
  readonly feeds: Feeds;
}

/**
 * A pass written once as a generator of graph runs, driven synchronously (`drive`) or
 * asynchronously (`driveAsync`) depending on the backend.
 */
type Pass = Generator<Call, GradResult, Record<string, Float64Array>>;

function drive(pass: Pass): GradResult {
  let r = pass.next();
  while (!r.done) r = pass.next(r.value.runner.run(r.value.feeds));
  return r.value;
}

async function driveAsync(pass: Pass): Promise<GradResult> {
  let r = pass.next();
  while (!r.done) r = pass.next(await r.value.runner.runAsync(r.value.feeds));
  return r.value;
}

/** Window starts and lengths covering T steps in pieces of n. */
function windowsOf(T: number, n: number): [number, number][] {
  const out: [number, number][] = [];
  for (let s = 0; s < T; s += n) out.push([s, Math.min(n, T - s)]);
  return out;
}

const stateFeeds = (w: WindowGraph, values: Record<string, Float64Array>): Record<string, NDArray> =>
  Object.fromEntries(w.states.map((s) => [`${s}0`, { shape: w.graph.nodes[w.graph.inputs.find((p) => p.name === `${s}0`)!.id]!.shape, data: values[s]! }]));

/** The `key` feed of a window (none when the graph has no key input); a usage error when it is needed and missing. */
function keyFeed(w: WindowGraph, key: NDArray | undefined): Record<string, NDArray> {
  if (!w.hasKey) return {};
  if (!key)
    throw new CellgradError(
      'usage',
      `backprop: run: the model regularises in 'train' mode, so run() needs a random key (randomKey(seed)) as its fourth argument`,
    );
  return { key };
}

function inputShape(g: Graph, name: string): readonly number[] {
  return g.nodes[g.inputs.find((p) => p.name === name)!.id]!.shape;
}

function transpose2(data: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(data.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = data[i * cols + j]!;
  return out;
}

/** What one chained window returns: loss, parameter accumulators (untransposed), state cotangents and final states. */
interface ChainedResult {
  readonly loss: number;
  readonly acc: ParamValues;
  readonly cot: Record<string, Float64Array>;
  readonly finals: Record<string, Float64Array>;
}

/** Sum of the stored activations of one window kind, memoised by graph. */
function storedOf(g: Graph, memo: Map<Graph, Stored>): Stored {
  let s = memo.get(g);
  if (!s) memo.set(g, (s = storedActivations(g)));
  return s;
}

/**
 * Build the gradient function of `spec` for strategy `bptt`, executing with `exec` (compiled
 * float32 by default). Graphs are built and compiled once, on first use.
 * @example
 * const bp = backprop(model, { kind: 'checkpoint' }, { executor: 'interpreted', dtype: 'float64' });
 * const { loss, grads } = bp.run(params, batch);
 */
export function backprop(spec: ModelSpec, bptt: BpttSpec, exec: ExecOptions = {}): Backprop {
  const T = spec.steps;
  const zerosState = (w: WindowGraph): Record<string, Float64Array> =>
    Object.fromEntries(w.states.map((s) => [s, new Float64Array(inputShape(w.graph, `${s}0`).reduce((a, d) => a * d, 1))]));
  const paramFeeds = (params: ParamValues, w: WindowGraph) => Object.fromEntries(w.params.map((p) => [p, { shape: inputShape(w.graph, p), data: params[p]! }]));
  const memo = new Map<Graph, Stored>();
  const kind: unknown = (bptt as { kind?: unknown } | null)?.kind;
  if (!BPTT_KINDS.includes(kind as BpttSpec['kind']))
    throw new CellgradError('usage', `unknown BPTT strategy ${JSON.stringify(kind)} (option 'bptt'; known: ${BPTT_KINDS.join(', ')})`);

  checkBackend(exec, `${bptt.kind} BPTT`);
  const async = isAsyncBackend(exec);
  if (bptt.kind === 'rtrl' || bptt.kind === 'snap1' || bptt.kind === 'uoro') {
    if (async) {
      throw new CellgradError(
        'usage',
        `${bptt.kind} (bptt '${bptt.kind}') runs its per-step Jacobian graphs on the own executor only; backend '${exec.backend}' needs bptt full, truncated or checkpoint (or use backend 'cellgrad')`,
      );
    }
    const online = onlineBackprop(spec, bptt, exec);
    const run: Backprop['run'] = (params, batch, update, key) => online.run(params, batch, update, key);
    return { spec: bptt, async, run, runAsync: async (...args) => run(...args), choices: () => ({}), memory: () => online.memory() };
  }
  /** Every graph runner made so far, by what it runs (for `choices`). */
  const runners = new Map<string, GraphRunner>();
  const made = (name: string, r: GraphRunner): GraphRunner => {
    runners.set(name, r);
    return r;
  };
  /** Both ways of running a pass, from its generator. */
  const drivers = (pass: (...args: Parameters<Backprop['run']>) => Pass) => ({
    async,
    choices: () => {
      const out: Record<string, BackendChoice> = {};
      for (const [name, r] of runners) {
        const c = r.choice();
        if (c) out[name] = c;
      }
      return out;
    },
    run: (...args: Parameters<Backprop['run']>) => drive(pass(...args)),
    runAsync: (...args: Parameters<Backprop['run']>) => driveAsync(pass(...args)),
  });

  if (bptt.kind === 'full') {
    let cached: { w: WindowGraph; g: Graph; run: GraphRunner } | undefined;
    const get = () => {
      if (!cached) {
        const w = buildWindow(spec);
        const g = grad(w.graph, { of: 'loss', wrt: w.params });
        cached = { w, g, run: made('full', graphRunner(g, exec)) };
      }
      return cached;
    };
    return {
      spec: bptt,
      ...drivers(function* (params, batch, _update, key): Pass {
        checkBatch(spec, batch, 'backprop: run');
        const { w, run } = get();
        const out = yield {
          runner: run,
          feeds: { ...windowDataFeeds(spec, w, batch), ...stateFeeds(w, zerosState(w)), ...paramFeeds(params, w), ...keyFeed(w, key) },
        };
        return { loss: out.loss![0]!, grads: Object.fromEntries(w.params.map((p) => [p, out[`grad:${p}`]!])) };
      }),
      memory() {
        const full = storedOf(get().g, memo);
        return { strategy: 'full', windows: 1, stored: full, full, saved: 0 };
      },
    };
  }

  if (spec.bidirectional) {
    throw new CellgradError(
      'usage',
      `${bptt.kind} BPTT (bptt '${bptt.kind}') runs the sequence in windows, which a bidirectional model (option 'bidirectional') cannot do: its reverse direction reads the whole sequence; use full BPTT`,
    );
  }
  const n = bptt.kind === 'truncated' ? bptt.k : (bptt.every ?? Math.ceil(Math.sqrt(T)));
  if (!Number.isInteger(n) || n <= 0) throw new CellgradError('usage', `${bptt.kind} BPTT: the window must be a positive integer number of steps, got ${n}`);
  const windows = windowsOf(T, n);
  // One graph per kind of window (its length and whether it holds the loss), built on first use.
  // Random draws of a regularised model in train mode depend on the time index: one graph per window then.
  const random = needsKey(modelLayout(spec).options.regularize, modelLayout(spec).options.mode);
  const kinds = new Map<string, { back: { w: WindowGraph; g: Graph; run: GraphRunner }; fwd?: { w: WindowGraph; run: GraphRunner } }>();
  const kindOf = (start: number, length: number) => {
    const withLoss = spec.loss.at === 'last' && start + length === T;
    const key = `${length}-step window${withLoss ? ' with the loss' : ''}${random ? ` at ${start}` : ''}`;
    let k = kinds.get(key);
    if (!k) {
      const w = buildWindow(spec, { start, length, chained: true });
      const g = grad(w.graph, { of: 'objective', wrt: [...w.params, ...w.states.map((s) => `${s}0`)] });
      k = { back: { w, g, run: made(`${key}, backward`, graphRunner(g, exec)) } };
      kinds.set(key, k);
    }
    return k;
  };
  const forwardOf = (start: number, length: number) => {
    const k = kindOf(start, length);
    if (!k.fwd) {
      const key = [...kinds].find(([, v]) => v === k)![0];
      const w = buildWindow(spec, { start, length });
      k.fwd = { w, run: made(`${key}, forward`, graphRunner(w.graph, exec)) };
    }
    return k.fwd;
  };
  // One chained window: returns loss, parameter accumulators (untransposed), state cotangents and final states.
  const step = function* (
    start: number,
    length: number,
    params: ParamValues,
    batch: Batch,
    states: Record<string, Float64Array>,
    cot: Record<string, Float64Array>,
    acc: ParamValues,
    key: NDArray | undefined,
  ): Generator<Call, ChainedResult, Record<string, Float64Array>> {
    const { w, run } = kindOf(start, length).back;
    const at = { ...w, start, length, hasLoss: w.hasLoss };
    const accFeeds: Record<string, NDArray> = {};
    for (const p of w.params) {
      const shape = inputShape(w.graph, `acc:${p}`);
      accFeeds[`acc:${p}`] = { shape, data: w.transposedAcc.includes(p) ? transpose2(acc[p]!, shape[1]!, shape[0]!) : acc[p]! };
    }
    const cotFeeds = Object.fromEntries(w.states.map((s) => [`cot:${s}`, { shape: inputShape(w.graph, `cot:${s}`), data: cot[s]! }]));
    const out = yield {
      runner: run,
      feeds: { ...windowDataFeeds(spec, at, batch), ...stateFeeds(w, states), ...paramFeeds(params, w), ...accFeeds, ...cotFeeds, ...keyFeed(w, key) },
    };
    return {
      loss: out.loss![0]!,
      acc: Object.fromEntries(w.params.map((p) => [p, out[`grad:${p}`]!])),
      cot: Object.fromEntries(w.states.map((s) => [s, out[`grad:${s}0`]!])),
      finals: Object.fromEntries(w.states.map((s) => [s, out[`${s}_T`]!])),
    };
  };
  const zerosLike = (params: ParamValues): ParamValues => Object.fromEntries(Object.entries(params).map(([p, v]) => [p, new Float64Array(v.length)]));

  return {
    spec: bptt,
    ...drivers(function* (params, batch, update, key): Pass {
      checkBatch(spec, batch, 'backprop: run');
      const perWindow = bptt.kind === 'truncated' && bptt.perWindow === true;
      if (perWindow && !update)
        throw new CellgradError('usage', "truncated BPTT per window: run() needs the update callback that applies each window's gradients");
      const w0 = kindOf(windows[0]![0], windows[0]![1]).back.w;
      let states: Record<string, Float64Array> = zerosState(w0);
      const zeroCot: Record<string, Float64Array> = zerosState(w0);
      let acc = zerosLike(params);
      let loss = 0;
      if (bptt.kind === 'truncated') {
        for (const [s, len] of windows) {
          const r = yield* step(s, len, params, batch, states, zeroCot, acc, key);
          loss += r.loss;
          states = r.finals;
          if (perWindow) {
            update!(r.acc, r.loss);
            if (s + len < T) acc = zerosLike(params);
            else acc = r.acc;
          } else acc = r.acc;
        }
        return { loss, grads: acc };
      }
      const checkpoints: Record<string, Float64Array>[] = [];
      for (const [s, len] of windows) {
        checkpoints.push(states);
        const { w, run } = forwardOf(s, len);
        const out = yield {
          runner: run,
          feeds: {
            ...windowDataFeeds(spec, { ...w, start: s, length: len }, batch),
            ...stateFeeds(w, states),
            ...paramFeeds(params, w),
            ...keyFeed(w, key),
          },
        };
        loss += out.loss![0]!;
        states = Object.fromEntries(w.states.map((st) => [st, out[`${st}_T`]!]));
      }
      let cot: Record<string, Float64Array> = zeroCot;
      for (let i = windows.length - 1; i >= 0; i--) {
        const [s, len] = windows[i]!;
        const r = yield* step(s, len, params, batch, checkpoints[i]!, cot, acc, key);
        acc = r.acc;
        cot = r.cot;
      }
      return { loss, grads: acc };
    }),
    memory() {
      const whole = buildWindow(spec);
      const full = storedActivations(grad(whole.graph, { of: 'loss', wrt: whole.params }));
      let peak: Stored = { values: 0, bytes: 0 };
      for (const [s, len] of windows) {
        const st = storedOf(kindOf(s, len).back.g, memo);
        if (st.bytes > peak.bytes) peak = st;
      }
      let stored = peak;
      if (bptt.kind === 'checkpoint') {
        const w = kindOf(windows[0]![0], windows[0]![1]).back.w;
        const stateBytes = w.states.reduce((a, s) => a + inputShape(w.graph, `${s}0`).reduce((x, d) => x * d, 1), 0) * (spec.dtype === 'float64' ? 8 : 4);
        const kept = windows.length - 1;
        stored = { values: peak.values + kept * w.states.length, bytes: peak.bytes + kept * stateBytes };
      }
      const name = bptt.kind === 'truncated' ? `truncated(k=${n}${bptt.perWindow ? ', per window' : ''})` : `checkpoint(every ${n})`;
      return { strategy: name, windows: windows.length, stored, full, saved: 1 - stored.bytes / full.bytes };
    },
  };
}
