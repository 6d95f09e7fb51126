/**
 * Gradient-flow diagnostics, measured: for a cell, parameters, a batch and a loss,
 * - ‖∂L/∂h(t)‖ for every step t, as the gradient w.r.t. a zero "tap" added to the state h(t);
 * - ‖∂h(T)/∂h(t)‖ (spectral norm of the Jacobian product, over the whole batch), by power
 *   iteration on JᵀJ with reverse-mode products Jᵀu (one VJP graph gives them for every t) and
 *   forward-mode products Jv, obtained as the transpose of the VJP: Jv = ∂/∂u ⟨Jᵀu, v⟩ (the
 *   "double VJP trick": the VJP graph is differentiated again, w.r.t. its cotangent input).
 * A vanishing gradient shows as a curve decaying geometrically away from T; an LSTM's holds.
 * With stacked layers h is the top layer's state (forward direction); the graphs are the training
 * model's (`buildWindow`, the same time loop as `unroll`), regularisers included.
 */
import { grad } from '@cellgrad/autodiff';
import { createRng, extendGraph, randomKey, type Graph, type NDArray, type Tensor } from '@cellgrad/graph';
import { checkBatch, checkParamValues, windowDataFeeds, type Batch } from '../train/batch.js';
import { runner, type ExecOptions, type Runner } from '../train/executor.js';
import { buildWindow, modelParamShapes, tappedState, type ModelSpec, type WindowGraph } from '../train/model.js';
import type { ParamValues } from '../train/optimizers.js';

/** Options of `gradientFlow`. */
export interface FlowOptions {
  /** Steps at which to estimate ‖∂h(T)/∂h(t)‖ (default: every step when T ≤ 24, else 16 spread out). */
  readonly points?: readonly number[];
  /** Power iterations per point (default 8). */
  readonly iterations?: number;
  /** Seed of the power iteration's starting vectors and of the regularisers' key in train mode (default 0). */
  readonly seed?: number;
  /** Execution (default: compiled float64, tiny norms must not underflow; unoptimised, as each graph runs only a few times). */
  readonly exec?: ExecOptions;
}

/** The measured gradient flow of one model on one batch. */
export interface FlowReport {
  readonly cell: string;
  readonly steps: number;
  /** The state the taps perturb (`h`). */
  readonly state: string;
  readonly loss: number;
  /** ‖∂L/∂h(t)‖ for t = 0 … T−1 (h(t) is the state after step t). */
  readonly stateGradNorms: number[];
  /** ‖∂h(T−1)/∂h(t)‖ at the chosen steps (spectral norm estimate). */
  readonly jacobianNorms: { readonly step: number; readonly norm: number }[];
  readonly seconds: number;
}

/** Default points: all steps for short sequences, else 16 spread from 0 to T−1. */
export function flowPoints(T: number): number[] {
  if (T <= 24) return Array.from({ length: T }, (_, t) => t);
  return [...new Set(Array.from({ length: 16 }, (_, k) => Math.round((k * (T - 1)) / 15)))];
}

function norm(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/** The graphs of the diagnostics for a model (built once per model). */
interface FlowGraphs {
  readonly w: WindowGraph;
  readonly tapShape: readonly number[];
  readonly lossGrad: Runner;
  readonly vjp: Runner;
  readonly jvp: Runner;
}

function buildFlowGraphs(spec: ModelSpec, exec: ExecOptions): FlowGraphs {
  const w = buildWindow(spec, { taps: true });
  const taps = Array.from({ length: spec.steps }, (_, t) => `tap${t}`);
  const lossGraph = grad(w.graph, { of: 'loss', wrt: taps, keepOutputs: true });
  // The tapped layer's final state (`tapped_T`: the top layer, forward direction).
  const vjpGraph: Graph = grad(w.graph, { of: 'tapped_T', wrt: taps, cotangent: true, keepOutputs: false });
  // ⟨Jᵀu, v⟩ summed over the taps, differentiated w.r.t. u: Σ_t J_t v_t (v is zero except at one step).
  const dot = extendGraph(vjpGraph, ({ builder, outputs }) => {
    let total: Tensor | undefined;
    for (const t of taps) {
      const g = outputs[`grad:${t}`]!;
      const term = g.mul(builder.input(`v:${t}`, g.shape, g.dtype)).sum();
      total = total ? total.add(term) : term;
    }
    return { dot: total! };
  });
  const jvpGraph = grad(dot, { of: 'dot', wrt: ['cotangent:tapped_T'], keepOutputs: false });
  const tapShape = lossGraph.nodes[lossGraph.inputs.find((p) => p.name === 'tap0')!.id]!.shape;
  return { w, tapShape, lossGrad: runner(lossGraph, exec), vjp: runner(vjpGraph, exec), jvp: runner(jvpGraph, exec) };
}

const graphCache = new WeakMap<ModelSpec, Map<string, FlowGraphs>>();

/**
 * Measure the gradient flow of `spec` at `params` on `batch`. The batch and the parameters are
 * checked against the model first (a batch of another size is a `usage` error naming both sizes).
 * @example
 * const report = gradientFlow(model, params, batch, { points: [0, 50, 99] });
 * report.stateGradNorms // ‖∂L/∂h(t)‖, t = 0..T−1
 */
export function gradientFlow(spec: ModelSpec, params: ParamValues, batch: Batch, options: FlowOptions = {}): FlowReport {
  const started = performance.now();
  checkBatch(spec, batch, 'gradientFlow');
  checkParamValues(modelParamShapes(spec), params, 'gradientFlow');
  const exec = options.exec ?? { executor: 'compiled', dtype: 'float64', optimize: false };
  let byExec = graphCache.get(spec);
  if (!byExec) graphCache.set(spec, (byExec = new Map()));
  const key = JSON.stringify(exec);
  let graphs = byExec.get(key);
  if (!graphs) byExec.set(key, (graphs = buildFlowGraphs(spec, exec)));
  const { w, tapShape } = graphs;
  const T = spec.steps;
  const size = tapShape.reduce((a, d) => a * d, 1);
  const zeros = new Float64Array(size);
  const nd = (data: Float64Array, shape: readonly number[]): NDArray => ({ shape, data });
  const shapeOf = (name: string) => w.graph.nodes[w.graph.inputs.find((p) => p.name === name)!.id]!.shape;
  const base: Record<string, NDArray> = {
    ...windowDataFeeds(spec, w, batch),
    ...Object.fromEntries(w.states.map((s) => [`${s}0`, nd(new Float64Array(shapeOf(`${s}0`).reduce((a, d) => a * d, 1)), shapeOf(`${s}0`))])),
    ...Object.fromEntries(w.params.map((p) => [p, nd(params[p]!, shapeOf(p))])),
    ...(w.hasKey ? { key: randomKey(options.seed ?? 0) } : {}),
  };
  const tapFeeds = Object.fromEntries(Array.from({ length: T }, (_, t) => [`tap${t}`, nd(zeros, tapShape)]));
  const out = graphs.lossGrad({ ...base, ...tapFeeds });
  const stateGradNorms = Array.from({ length: T }, (_, t) => norm(out[`grad:tap${t}`]!));

  const fwdFeeds = base;
  const state = tappedState(spec.cell, spec.hidden, spec.input);
  const rng = createRng(options.seed ?? 0);
  const iterations = options.iterations ?? 8;
  const jacobianNorms = (options.points ?? flowPoints(T)).map((step) => {
    let v: Float64Array = Float64Array.from({ length: size }, () => rng.normal());
    let sigma = 0;
    for (let k = 0; k < iterations; k++) {
      const nv = norm(v);
      if (nv === 0) break;
      v = v.map((e) => e / nv);
      const vFeeds = Object.fromEntries(Array.from({ length: T }, (_, t) => [`v:tap${t}`, nd(t === step ? v : zeros, tapShape)]));
      const jv = graphs.jvp({ ...fwdFeeds, ...tapFeeds, ...vFeeds, 'cotangent:tapped_T': nd(zeros, tapShape) })['grad:cotangent:tapped_T']!;
      sigma = norm(jv);
      v = graphs.vjp({ ...fwdFeeds, ...tapFeeds, 'cotangent:tapped_T': nd(jv, tapShape) })[`grad:tap${step}`]!;
    }
    return { step, norm: sigma };
  });
  return { cell: spec.cell.name, steps: T, state, loss: out.loss![0]!, stateGradNorms, jacobianNorms, seconds: (performance.now() - started) / 1000 };
}
