/**
 * Real-time recurrent learning as a gradient strategy: the sequence runs forward once, each example
 * carrying its influence matrix M_t = ∂s_t/∂θ (exact, or SnAp-1's sparse approximation), and the
 * gradient of the loss at step t is taken on the spot as (∂L_t/∂s_{t−1}) · M_{t−1} + ∂L_t/∂θ. Nothing
 * of the past is stored, so memory does not grow with T. Without `every` the gradients of the whole
 * sequence are summed (exact RTRL then equals full BPTT); with `every: k` the update callback applies
 * the gradient gathered over each k steps and the sequence continues with the new parameters and the
 * old influence matrices (online learning). UORO's rank-one estimate runs in `uoro.ts`; this file
 * checks the options for all three and reports their memory.
 */
import { CellgradError, createRng, type Graph, type NDArray } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { checkBatch, type Batch } from '../batch.js';
import type { ExecOptions } from '../executor.js';
import { lossScale } from '../losses.js';
import { storedActivations, type MemoryReport, type Stored } from '../memory.js';
import { buildWindow, modelLayout, modelParamShapes, type ModelSpec } from '../model.js';
import type { ParamValues } from '../optimizers.js';
import { needsKey } from '../../regularize/options.js';
import { exactInfluence, patternOf, snap1Influence, type Influence, type SparsityPattern } from './influence.js';
import { rtrlLayout, stepJacobian, type RtrlLayout, type StepJacobian } from './step-jacobian.js';
import { uoroBackprop } from './uoro.js';

/** An online strategy: exact RTRL, SnAp-1 or UORO, updating every `every` steps (default: at the end of the sequence). */
export interface OnlineSpec {
  readonly kind: 'rtrl' | 'snap1' | 'uoro';
  readonly every?: number;
}

/** The online gradient function (what `backprop` returns for `rtrl` and `snap1`). */
export interface OnlineGradients {
  run(
    params: ParamValues,
    batch: Batch,
    update?: (grads: ParamValues, loss: number) => void,
    key?: NDArray,
  ): {
    loss: number;
    grads: ParamValues;
  };
  memory(): MemoryReport;
}

const NAMES = { rtrl: 'exact RTRL', snap1: 'SnAp-1', uoro: 'UORO' } as const;

/** Usage errors for models and options RTRL cannot run. */
function checkOnline(spec: ModelSpec, o: OnlineSpec): void {
  const what = `${NAMES[o.kind]} (bptt '${o.kind}')`;
  if (spec.bidirectional)
    throw new CellgradError(
      'usage',
      `${what} runs the sequence forward step by step, which a bidirectional model (option 'bidirectional') cannot do: its reverse direction reads the whole sequence; use full BPTT`,
    );
  if (spec.lengths) throw new CellgradError('usage', `${what} does not support variable-length batches (ModelSpec 'lengths'); use a BPTT strategy`);
  const layout = modelLayout(spec);
  if (needsKey(layout.options.regularize, layout.options.mode))
    throw new CellgradError('usage', `${what} does not support regularisers in 'train' mode (option 'regularize'); use a BPTT strategy or mode 'eval'`);
  if (spec.gravesClip !== undefined)
    throw new CellgradError('usage', `${what} has no backward pass through time, so Graves clipping (option 'gravesClip') does not apply; leave it out`);
  if (o.every !== undefined && (!Number.isInteger(o.every) || o.every <= 0))
    throw new CellgradError('usage', `${what}: option 'every' (steps between updates) must be a positive integer, got ${o.every}`);
}

/** Steps between updates and the number of updates per sequence. */
export function onlineUpdates(o: OnlineSpec, T: number): number {
  return o.every === undefined ? 1 : Math.ceil(T / o.every);
}

/** The SnAp-1 pattern of `spec`: the nonzeros of J_θ united over a few random states, inputs and parameters (seeded). */
function probePattern(spec: ModelSpec): SparsityPattern {
  // The reference interpreter in float64: no float32 underflow can hide an entry, and nothing to compile.
  const jac = stepJacobian(spec, { executor: 'interpreted', dtype: 'float64' });
  const { stateSize: S, paramSize: P } = jac.layout;
  const rng = createRng(20200);
  const fill = (n: number, scale: number) => Float64Array.from({ length: n }, () => rng.uniform(-scale, scale));
  const { batch: B, input: I, steps: T } = spec;
  const perStep = spec.loss.at === 'last' ? B : T * B;
  const probes: Float64Array[] = [];
  for (let k = 0; k < 3; k++) {
    const params = Object.fromEntries(
      Object.entries(modelParamShapes(spec)).map(([p, shape]) => [
        p,
        fill(
          shape.reduce((a, d) => a * d, 1),
          0.5,
        ),
      ]),
    );
    const batch: Batch = { x: fill(T * B * I, 1), y: new Float64Array(perStep * spec.loss.outputs), mask: new Float64Array(perStep) };
    probes.push(jac.run(0, 0, fill(S, 0.5), params, batch, 0).jParams);
  }
  return patternOf(probes, S, P);
}

/**
 * The online gradient function of `spec` for `o`, executed with `exec`. The step graphs are built
 * and compiled on first use.
 */
export function onlineBackprop(spec: ModelSpec, o: OnlineSpec, exec: ExecOptions): OnlineGradients {
  checkOnline(spec, o);
  const T = spec.steps;
  const B = spec.batch;
  let fullStored: Stored | undefined;
  const report = (layout: RtrlLayout, entries: number): MemoryReport => {
    const bytesPer = 8; // influence matrices (or UORO's two vectors) are float64 arrays
    const stored: Stored = { values: 2 * B, bytes: B * (entries + layout.stateSize) * bytesPer };
    if (!fullStored) {
      const whole = buildWindow(spec);
      fullStored = storedActivations(grad(whole.graph, { of: 'loss', wrt: whole.params }) as Graph);
    }
    return {
      strategy: `${NAMES[o.kind]}${o.every === undefined ? '' : ` (update every ${o.every})`}`,
      windows: onlineUpdates(o, T),
      stored,
      full: fullStored,
      saved: 1 - stored.bytes / fullStored.bytes,
      influence: { rows: layout.stateSize, cols: layout.paramSize, entries },
    };
  };
  if (o.kind === 'uoro') {
    const uoro = uoroBackprop(spec, o.every, exec);
    return {
      run: (params, batch, update, key) => uoro.run(params, batch, update, key),
      memory: () => report(uoro.layout, uoro.layout.stateSize + uoro.layout.paramSize),
    };
  }
  let jac: StepJacobian | undefined;
  let pattern: SparsityPattern | undefined;
  const patternOnce = () => (pattern ??= probePattern(spec));
  const setup = () => {
    jac ??= stepJacobian(spec, exec);
    if (o.kind === 'snap1') patternOnce();
    return { jac, layout: jac.layout };
  };
  const influence = (layout: RtrlLayout): Influence =>
    o.kind === 'rtrl' ? exactInfluence(layout.stateSize, layout.paramSize) : snap1Influence(layout.stateSize, layout.paramSize, patternOnce());
  const zeros = (params: ParamValues): ParamValues => Object.fromEntries(Object.entries(params).map(([p, v]) => [p, new Float64Array(v.length)]));

  return {
    run(params, batch, update) {
      checkBatch(spec, batch, 'backprop: run');
      if (o.every !== undefined && !update)
        throw new CellgradError('usage', `${NAMES[o.kind]} every ${o.every} steps: run() needs the update callback that applies each update's gradients`);
      const { jac: step, layout } = setup();
      const S = layout.stateSize;
      const scale = lossScale(batch.mask);
      const states: Float64Array[] = Array.from({ length: B }, () => new Float64Array(S));
      const infl = Array.from({ length: B }, () => influence(layout));
      const through = new Float64Array(layout.paramSize);
      let acc = zeros(params);
      let loss = 0;
      let since = 0;
      const flush = () => {
        for (const slot of layout.cellParams) {
          const a = acc[slot.name]!;
          for (let k = 0; k < slot.size; k++) a[k]! += through[slot.offset + k]!;
        }
        through.fill(0);
      };
      for (let t = 0; t < T; t++) {
        for (let b = 0; b < B; b++) {
          const v = step.run(t, b, states[b]!, params, batch, scale);
          since += v.loss;
          infl[b]!.addGradient(v.lossState, through);
          for (const p of layout.allParams) {
            const a = acc[p]!;
            const d = v.lossParams[p]!;
            for (let k = 0; k < a.length; k++) a[k]! += d[k]!;
          }
          infl[b]!.advance(v.jState, v.jParams);
          states[b] = v.next;
        }
        const due = o.every !== undefined && ((t + 1) % o.every === 0 || t === T - 1);
        if (due) {
          flush();
          update!(acc, since);
          loss += since;
          since = 0;
          if (t < T - 1) acc = zeros(params);
        }
      }
      if (o.every === undefined) {
        flush();
        loss += since;
      }
      return { loss, grads: acc };
    },
    memory() {
      const layout = rtrlLayout(spec);
      return report(layout, o.kind === 'rtrl' ? layout.stateSize * layout.paramSize : patternOnce().rows.length);
    },
  };
}
