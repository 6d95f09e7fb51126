/**
 * UORO (Tallec & Ollivier 2017, "Unbiased Online Recurrent Optimization"): the influence matrix
 * M_t = ∂s_t/∂θ of each example is replaced by a rank-one estimate s̃_t θ̃_tᵀ whose expectation is M_t.
 * Each step draws random signs ν (Philox under the iteration's random key), and with
 * ρ0 = √(‖θ̃‖ / ‖J_s s̃‖), ρ1 = √(‖νᵀJ_θ‖ / ‖ν‖):
 *
 *     s̃_t = ρ0 · J_s s̃_{t−1} + ρ1 · ν,     θ̃_t = θ̃_{t−1} / ρ0 + νᵀJ_θ / ρ1.
 *
 * One step needs only a forward product J_s s̃ and one reverse product νᵀJ_θ, so the step graph
 * holds three reverse passes (the loss, ⟨ν, s_t⟩, and the forward product as the transpose of a
 * reverse one: ∂/∂u ⟨J_sᵀu, s̃⟩ = J_s s̃), whatever the state size.
 */
import { grad } from '@cellgrad/autodiff';
import { CellgradError, concat, extendGraph, keyWords, philox4x32, type Graph, type NDArray, type Tensor } from '@cellgrad/graph';
import { checkBatch, type Batch } from '../batch.js';
import { viewRunner, type ExecOptions, type ViewRunner } from '../executor.js';
import { lossScale } from '../losses.js';
import { buildWindow, type ModelSpec, type WindowGraph } from '../model.js';
import type { ParamValues } from '../optimizers.js';
import { rtrlLayout, type RtrlLayout } from './step-jacobian.js';

/** Philox stream of UORO's random signs (apart from the regularisers' streams). */
const UORO_STREAM = 0x0e0e;
/** Keeps the ratios finite when a norm is zero (the first step: s̃ = 0, θ̃ = 0 gives ρ0 = 1). */
const EPS = 1e-7;

const inputShape = (g: Graph, name: string): readonly number[] => g.nodes[g.inputs.find((p) => p.name === name)!.id]!.shape;

/**
 * The UORO step graph: inputs of the one-step window plus `nu:<s>` (the signs), `tan:<s>` (s̃) and
 * `u:<s>` (a dummy cotangent, fed zeros); outputs `loss`, `next` [1, S], `lossState` [1, S] (∂L/∂s_{t−1}),
 * `L:<param>` (∂L/∂θ directly), `nuJ` [1, P] (νᵀJ_θ) and `jvp` [1, S] (J_s s̃).
 */
function uoroGraph(w: WindowGraph, layout: RtrlLayout): Graph {
  const states = layout.states;
  const ext = extendGraph(w.graph, ({ builder, outputs }) => {
    const dot = (prefix: string) =>
      states.map((s) => builder.input(`${prefix}${s.name}`, s.shape).mul(outputs[`${s.name}_T`]!).sum()).reduce((a, b) => a.add(b));
    return { ...outputs, nuDot: dot('nu:'), uDot: dot('u:') };
  });
  const stateInputs = states.map((s) => `${s.name}0`);
  let g = grad(ext, { of: 'loss', wrt: [...stateInputs, ...layout.allParams], prefix: 'L:' });
  g = grad(g, { of: 'nuDot', wrt: layout.cellParams.map((p) => p.name), prefix: 'N:' });
  g = grad(g, { of: 'uDot', wrt: stateInputs, prefix: 'U:' });
  g = extendGraph(g, ({ builder, outputs }) => ({
    ...outputs,
    tDot: states.map((s) => builder.input(`tan:${s.name}`, s.shape).mul(outputs[`U:${s.name}0`]!).sum()).reduce((a, b) => a.add(b)),
  }));
  g = grad(g, { of: 'tDot', wrt: states.map((s) => `u:${s.name}`), prefix: 'F:' });
  return extendGraph(g, ({ outputs }) => {
    const flat = (t: Tensor) => t.reshape([1, t.shape.reduce((a, d) => a * d, 1)]);
    const row = (names: readonly string[]) =>
      concat(
        names.map((n) => flat(outputs[n]!)),
        1,
      );
    const out: Record<string, Tensor> = {
      loss: outputs.loss!,
      next: row(states.map((s) => `${s.name}_T`)),
      lossState: row(stateInputs.map((s) => `L:${s}`)),
      jvp: row(states.map((s) => `F:u:${s.name}`)),
    };
    if (layout.paramSize > 0) out.nuJ = row(layout.cellParams.map((p) => `N:${p.name}`));
    for (const p of layout.allParams) out[`L:${p}`] = outputs[`L:${p}`]!;
    return out;
  });
}

/** Random signs ±1 for `count` state units of example `b` at step `t`, from the key (Philox, counter = unit block, t·B + b, stream). */
export function uoroSigns(key: NDArray, t: number, b: number, B: number, count: number): Float64Array {
  const k = keyWords(key.data, 'UORO random signs');
  const words = new Uint32Array(4);
  const out = new Float64Array(count);
  const row = t * B + b;
  for (let block = 0; block * 4 < count; block++) {
    philox4x32([block, row % 2 ** 32, UORO_STREAM, Math.floor(row / 2 ** 32)], k, words);
    for (let j = 0; j < 4 && block * 4 + j < count; j++) out[block * 4 + j] = words[j]! & 1 ? 1 : -1;
  }
  return out;
}

const norm = (v: Float64Array) => Math.sqrt(v.reduce((a, x) => a + x * x, 0));

/**
 * UORO's gradient function: run(params, batch, update, key) as the other online strategies; the key
 * (`randomKey(seed)`; the trainer passes the iteration's) seeds the signs, so a run is reproducible.
 */
export function uoroBackprop(spec: ModelSpec, every: number | undefined, exec: ExecOptions) {
  const T = spec.steps;
  const { batch: B, input: I } = spec;
  const O = spec.loss.outputs;
  const last = spec.loss.at === 'last';
  const layout = rtrlLayout(spec);
  const S = layout.stateSize;
  const P = layout.paramSize;
  const kinds = new Map<boolean, { w: WindowGraph; run: ViewRunner }>();
  const kindOf = (t: number) => {
    const hasLoss = !last || t === T - 1;
    let k = kinds.get(hasLoss);
    if (!k) {
      const w = buildWindow({ ...spec, batch: 1 }, { start: hasLoss ? T - 1 : 0, length: 1 });
      k = { w, run: viewRunner(uoroGraph(w, layout), exec) };
      kinds.set(hasLoss, k);
    }
    return k;
  };
  const zeros = (params: ParamValues): ParamValues => Object.fromEntries(Object.entries(params).map(([p, v]) => [p, new Float64Array(v.length)]));
  return {
    layout,
    run(params: ParamValues, batch: Batch, update?: (grads: ParamValues, loss: number) => void, key?: NDArray) {
      checkBatch(spec, batch, 'backprop: run');
      if (!key) throw new CellgradError('usage', `UORO (bptt 'uoro'): run() needs a random key (randomKey(seed)) as its fourth argument for the random signs`);
      if (every !== undefined && !update)
        throw new CellgradError('usage', `UORO every ${every} steps: run() needs the update callback that applies each update's gradients`);
      const scale = lossScale(batch.mask);
      const states = Array.from({ length: B }, () => new Float64Array(S));
      const sTilde = Array.from({ length: B }, () => new Float64Array(S));
      const thTilde = Array.from({ length: B }, () => new Float64Array(P));
      const zeroState = Object.fromEntries(layout.states.map((s) => [`u:${s.name}`, { shape: s.shape, data: new Float64Array(s.size) }]));
      let acc = zeros(params);
      const through = new Float64Array(P);
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
        const { w, run } = kindOf(t);
        for (let b = 0; b < B; b++) {
          const nu = uoroSigns(key, t, b, B, S);
          const feeds: Record<string, NDArray> = {
            ...zeroState,
            x: { shape: [1, 1, I], data: batch.x.subarray((t * B + b) * I, (t * B + b + 1) * I) },
            loss_scale: { shape: [], data: Float64Array.of(scale) },
          };
          for (const s of layout.states) {
            feeds[`${s.name}0`] = { shape: s.shape, data: states[b]!.subarray(s.offset, s.offset + s.size) };
            feeds[`nu:${s.name}`] = { shape: s.shape, data: nu.subarray(s.offset, s.offset + s.size) };
            feeds[`tan:${s.name}`] = { shape: s.shape, data: sTilde[b]!.subarray(s.offset, s.offset + s.size) };
          }
          for (const p of layout.allParams) feeds[p] = { shape: inputShape(w.graph, p), data: params[p]! };
          if (w.hasLoss) {
            const at = last ? b : t * B + b;
            feeds.y = { shape: last ? [1, O] : [1, 1, O], data: batch.y.subarray(at * O, (at + 1) * O) };
            feeds.mask = { shape: last ? [1] : [1, 1], data: batch.mask.subarray(at, at + 1) };
          }
          const out = run(feeds);
          since += out.loss![0]!;
          // The gradient through the state, with M_{t−1} ≈ s̃ θ̃ᵀ, then the direct part.
          const lossState = out.lossState!;
          let c = 0;
          for (let i = 0; i < S; i++) c += lossState[i]! * sTilde[b]![i]!;
          if (c !== 0) for (let p = 0; p < P; p++) through[p]! += c * thTilde[b]![p]!;
          for (const p of layout.allParams) {
            const a = acc[p]!;
            const d = out[`L:${p}`]!;
            for (let k = 0; k < a.length; k++) a[k]! += d[k]!;
          }
          // The rank-one update.
          const jvp = new Float64Array(out.jvp!);
          const nuJ = P > 0 ? new Float64Array(out.nuJ!) : new Float64Array(0);
          const rho0 = Math.sqrt((norm(thTilde[b]!) + EPS) / (norm(jvp) + EPS));
          const rho1 = Math.sqrt((norm(nuJ) + EPS) / (norm(nu) + EPS));
          for (let i = 0; i < S; i++) sTilde[b]![i] = rho0 * jvp[i]! + rho1 * nu[i]!;
          for (let p = 0; p < P; p++) thTilde[b]![p] = thTilde[b]![p]! / rho0 + nuJ[p]! / rho1;
          states[b] = new Float64Array(out.next!);
        }
        if (every !== undefined && ((t + 1) % every === 0 || t === T - 1)) {
          flush();
          update!(acc, since);
          loss += since;
          since = 0;
          if (t < T - 1) acc = zeros(params);
        }
      }
      if (every === undefined) {
        flush();
        loss += since;
      }
      return { loss, grads: acc };
    },
  };
}
