/**
 * The one-step Jacobians that real-time recurrent learning carries forward, built symbolically from
 * the training model's one-step graph (`buildWindow` with one step, batch 1): for the state s (every
 * state of every layer, flattened per example) and the cell's parameters θ, one compiled graph gives
 * s_t, the loss of the step, its gradients ∂L_t/∂s_{t−1} and ∂L_t/∂θ (every parameter, the readout's
 * too), and every row of J_s = ∂s_t/∂s_{t−1} (S × S) and J_θ = ∂s_t/∂θ (S × P): one reverse pass
 * per state unit, all in one graph sharing the forward part. The graph has batch 1 because a
 * parameter's gradient sums over the batch, and RTRL needs each example's own Jacobian; the caller
 * runs it once per example and step.
 */
import { grad } from '@cellgrad/autodiff';
import { concat, extendGraph, type Graph, type NDArray, type Tensor } from '@cellgrad/graph';
import type { Batch } from '../batch.js';
import { viewRunner, type ExecOptions, type ViewRunner } from '../executor.js';
import { buildWindow, type ModelSpec, type WindowGraph } from '../model.js';
import type { ParamValues } from '../optimizers.js';

/** Where a state lives in the per-example state vector s. */
export interface StateSlot {
  /** The cell's state name (`h`, `c`, ...). */
  readonly name: string;
  /** Shape of the window input `<name>0` at batch 1: [layers, 1, ...]. */
  readonly shape: readonly number[];
  /** Offset of this state in s. */
  readonly offset: number;
  /** Values per example (layers × the state's own size). */
  readonly size: number;
}

/** Where a cell parameter lives in the flattened θ of the influence matrix. */
export interface ParamSlot {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

/** The layout of s and θ for one model. */
export interface RtrlLayout {
  readonly states: readonly StateSlot[];
  /** |s|: state values per example. */
  readonly stateSize: number;
  /** Parameters the state depends on (every parameter but the readout's), in the model's order. */
  readonly cellParams: readonly ParamSlot[];
  /** |θ| of the influence matrix. */
  readonly paramSize: number;
  /** Every parameter of the model (the cell's, then the readout's). */
  readonly allParams: readonly string[];
}

/** One example's step: the new state, the step's loss and gradients, and the Jacobian rows. */
export interface StepValues {
  readonly loss: number;
  /** s_t, flattened as the layout says. */
  readonly next: Float64Array;
  /** ∂L_t/∂s_{t−1} (|s|). */
  readonly lossState: Float64Array;
  /** ∂L_t/∂θ directly (not through s_{t−1}), every parameter by name. */
  readonly lossParams: ParamValues;
  /** J_s, |s| × |s| row-major: row i is ∂s_t[i]/∂s_{t−1}. */
  readonly jState: Float64Array;
  /** J_θ, |s| × |θ| row-major: row i is ∂s_t[i]/∂θ. */
  readonly jParams: Float64Array;
}

/** The readout's parameters: they do not influence the state. */
const READOUT = new Set(['head_weight', 'head_bias']);

const inputShape = (g: Graph, name: string): readonly number[] => g.nodes[g.inputs.find((p) => p.name === name)!.id]!.shape;
const sizeOf = (shape: readonly number[]) => shape.reduce((a, d) => a * d, 1);

/** The layout of s and θ for `spec` (from its one-step window at batch 1). */
export function rtrlLayout(spec: ModelSpec): RtrlLayout {
  const w = buildWindow({ ...spec, batch: 1 }, { start: 0, length: 1 });
  let offset = 0;
  const states = w.states.map((name) => {
    const shape = inputShape(w.graph, `${name}0`);
    const slot = { name, shape, offset, size: sizeOf(shape) };
    offset += slot.size;
    return slot;
  });
  const stateSize = offset;
  offset = 0;
  const cellParams = w.params
    .filter((p) => !READOUT.has(p))
    .map((name) => {
      const slot = { name, offset, size: sizeOf(inputShape(w.graph, name)) };
      offset += slot.size;
      return slot;
    });
  return { states, stateSize, cellParams, paramSize: offset, allParams: w.params };
}

/**
 * The Jacobian graph of one step: outputs `loss`, `<state>_T`, `L:<input>` (the loss's gradient
 * w.r.t. the initial states and every parameter) and `r<i>:<input>` (row i of [J_s | J_θ]).
 */
function jacobianGraph(w: WindowGraph, layout: RtrlLayout): Graph {
  const rows = extendGraph(w.graph, ({ outputs }) => {
    const out: Record<string, Tensor> = { ...outputs };
    let r = 0;
    for (const s of layout.states) {
      const flat = outputs[`${s.name}_T`]!.reshape([s.size]);
      for (let j = 0; j < s.size; j++) out[`row${r++}`] = flat.index(0, j);
    }
    return out;
  });
  const stateInputs = layout.states.map((s) => `${s.name}0`);
  let g = grad(rows, { of: 'loss', wrt: [...stateInputs, ...layout.allParams], prefix: 'L:' });
  const wrt = [...stateInputs, ...layout.cellParams.map((p) => p.name)];
  for (let r = 0; r < layout.stateSize; r++) g = grad(g, { of: `row${r}`, wrt, prefix: `r${r}:` });
  // One output per matrix: rows of J_s [S, S] and J_θ [S, P], the state s_T [S] and ∂L/∂s_{t−1} [S].
  return extendGraph(g, ({ outputs }) => {
    const flat = (t: Tensor) => t.reshape([1, t.shape.reduce((a, d) => a * d, 1)]);
    const row = (prefix: string, names: readonly string[]) =>
      concat(
        names.map((n) => flat(outputs[prefix + n]!)),
        1,
      );
    const rowsOf = (names: readonly string[]) =>
      concat(
        Array.from({ length: layout.stateSize }, (_, r) => row(`r${r}:`, names)),
        0,
      );
    const out: Record<string, Tensor> = {
      loss: outputs.loss!,
      next: row(
        '',
        layout.states.map((s) => `${s.name}_T`),
      ),
      lossState: row('L:', stateInputs),
      jState: rowsOf(stateInputs),
    };
    if (layout.paramSize > 0) out.jParams = rowsOf(layout.cellParams.map((p) => p.name));
    for (const p of layout.allParams) out[`L:${p}`] = outputs[`L:${p}`]!;
    return out;
  });
}

/** Evaluates the step Jacobians of one example at one time step. */
export interface StepJacobian {
  readonly layout: RtrlLayout;
  /**
   * Run step `t` for example `b` of `batch` from state `prev` (flattened, |s|) with `params`.
   * `lossScale` is the whole batch's `loss_scale` (1 / number of loss terms).
   */
  run(t: number, b: number, prev: Float64Array, params: ParamValues, batch: Batch, lossScale: number): StepValues;
}

/** The step Jacobians of `spec`, executed with `exec`; the graphs (with and without a loss term) are built on first use. */
export function stepJacobian(spec: ModelSpec, exec: ExecOptions): StepJacobian {
  const layout = rtrlLayout(spec);
  const T = spec.steps;
  const last = spec.loss.at === 'last';
  const kinds = new Map<boolean, { w: WindowGraph; run: ViewRunner }>();
  const kindOf = (t: number) => {
    const hasLoss = !last || t === T - 1;
    let k = kinds.get(hasLoss);
    if (!k) {
      // Without regularisers or variable lengths the one-step graph does not depend on t.
      const w = buildWindow({ ...spec, batch: 1 }, { start: hasLoss ? T - 1 : 0, length: 1 });
      k = { w, run: viewRunner(jacobianGraph(w, layout), exec) };
      kinds.set(hasLoss, k);
    }
    return k;
  };
  const S = layout.stateSize;
  const P = layout.paramSize;
  const { batch: B, input: I } = spec;
  const O = spec.loss.outputs;
  return {
    layout,
    run(t, b, prev, params, batch, lossScale) {
      const { w, run } = kindOf(t);
      const feeds: Record<string, NDArray> = {
        x: { shape: [1, 1, I], data: batch.x.subarray((t * B + b) * I, (t * B + b + 1) * I) },
        loss_scale: { shape: [], data: Float64Array.of(lossScale) },
      };
      for (const s of layout.states) feeds[`${s.name}0`] = { shape: s.shape, data: prev.subarray(s.offset, s.offset + s.size) };
      for (const p of layout.allParams) feeds[p] = { shape: inputShape(w.graph, p), data: params[p]! };
      if (w.hasLoss) {
        const at = last ? b : t * B + b;
        feeds.y = { shape: last ? [1, O] : [1, 1, O], data: batch.y.subarray(at * O, (at + 1) * O) };
        feeds.mask = { shape: last ? [1] : [1, 1], data: batch.mask.subarray(at, at + 1) };
      }
      const out = run(feeds);
      const copy = (name: string, n: number) => (n === 0 ? new Float64Array(0) : new Float64Array(out[name]!));
      const lossParams = Object.fromEntries(layout.allParams.map((p) => [p, new Float64Array(out[`L:${p}`]!)]));
      return {
        loss: out.loss![0]!,
        next: copy('next', S),
        lossState: copy('lossState', S),
        lossParams,
        jState: copy('jState', S * S),
        jParams: copy('jParams', S * P),
      };
    },
  };
}
