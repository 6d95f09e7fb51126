/**
 * One order of gradient checking: symbolic derivatives against central finite differences in
 * float64, element by element ('full') or along random directions ('fast'). The symbolic side is
 * reverse mode (the VJP graph, one evaluation per output element), forward mode (the JVP graph, one
 * evaluation per input element) or both, and then forward is also compared with reverse.
 */
import { createRng, interpret, sizeOf, type Feeds, type NDArray } from '@cellgrad/graph';
import { jvpName, tangentName } from '../forward/jvp.js';
import { ErrorTally, unravel } from './compare.js';
import { probeCotangent, type Probe } from './probe.js';
import type { GradcheckDerivation, InputReport } from './types.js';

/** Settings shared by both modes. */
export interface CheckSettings {
  readonly eps: number;
  readonly atol: number;
  readonly rtol: number;
  readonly seed: number;
  readonly timeAxes: Readonly<Record<string, number>>;
  readonly tick: () => void;
  /** The memory budget every evaluation runs under (`interpret`'s `maxBytes`). */
  readonly maxBytes: number;
  /** Which symbolic derivatives to check: reverse mode, forward mode or both (then also against each other). */
  readonly modes: readonly GradcheckDerivation[];
}

/** Tangent feeds for the JVP probe: zero everywhere except input `name`, which gets `u`. */
function tangentsFor(probe: Probe, feeds: Record<string, NDArray>, name: string, u: Float64Array): Record<string, NDArray> {
  const all: Record<string, NDArray> = { ...feeds };
  for (const n of probe.wrt) {
    const x = feeds[n]!;
    all[tangentName(n)] = { shape: x.shape, data: n === name ? u : new Float64Array(x.data.length) };
  }
  return all;
}

/** The tallies of one input: one per check (reverse vs FD, forward vs FD, forward vs reverse). */
function talliesOf(s: CheckSettings): { rev?: ErrorTally; fwd?: ErrorTally; agree?: ErrorTally } {
  const rev = s.modes.includes('rev');
  const fwd = s.modes.includes('fwd');
  return {
    ...(rev ? { rev: new ErrorTally(s.atol, s.rtol) } : {}),
    ...(fwd ? { fwd: new ErrorTally(s.atol, s.rtol) } : {}),
    ...(rev && fwd ? { agree: new ErrorTally(s.atol, s.rtol) } : {}),
  };
}

/** Reports of every input, reverse first, then forward, then forward against reverse. */
function reportsOf(s: CheckSettings, per: readonly { name: string; shape: readonly number[]; t: ReturnType<typeof talliesOf> }[]): InputReport[] {
  const tagged = s.modes.includes('fwd');
  const out: InputReport[] = [];
  for (const check of ['rev', 'fwd', 'agree'] as const) {
    for (const { name, shape, t } of per) {
      const tally = t[check];
      if (!tally) continue;
      const r = tally.report(name, shape);
      out.push(tagged ? { ...r, check: check === 'agree' ? 'fwd=rev' : check } : r);
    }
  }
  return out;
}

/** Feeds with the cotangents of a probe set to `cot` (by output name). */
function withCotangents(feeds: Record<string, NDArray>, probe: Probe, cot: Record<string, NDArray>): Record<string, NDArray> {
  const all = { ...feeds };
  for (const o of probe.outputs) all[probeCotangent(o)] = cot[o]!;
  return all;
}

function stepOf(name: string, index: readonly number[], timeAxes: Readonly<Record<string, number>>): { step?: number } {
  const axis = timeAxes[name];
  return axis !== undefined && axis < index.length ? { step: index[axis]! } : {};
}

/** Evaluate the forward graph with input `name` replaced by `value`. */
function evalWith(probe: Probe, feeds: Record<string, NDArray>, name: string, value: NDArray, s: CheckSettings): Record<string, NDArray> {
  return interpret(probe.forward, { ...feeds, [name]: value }, { maxBytes: s.maxBytes });
}

/** Compare every element of the Jacobian. */
export function checkFull(probe: Probe, feeds: Record<string, NDArray>, s: CheckSettings): InputReport[] {
  const base = interpret(probe.forward, feeds, { maxBytes: s.maxBytes });
  const outShapes = probe.outputs.map((o) => base[o]!.shape);
  const outSizes = outShapes.map(sizeOf);
  const totalOut = outSizes.reduce((a, b) => a + b, 0);
  const inShapes = probe.wrt.map((n) => feeds[n]!.shape);
  // Analytic Jacobian, one row per output element, from one VJP per row.
  const rows: Float64Array[] = probe.wrt.map((_, i) => new Float64Array(s.modes.includes('rev') ? totalOut * sizeOf(inShapes[i]!) : 0));
  let row = 0;
  if (s.modes.includes('rev'))
    probe.outputs.forEach((_o, oi) => {
      for (let j = 0; j < outSizes[oi]!; j++, row++) {
        const cot: Record<string, NDArray> = {};
        probe.outputs.forEach((p, pi) => {
          const data = new Float64Array(outSizes[pi]!);
          if (pi === oi) data[j] = 1;
          cot[p] = { shape: outShapes[pi]!, data };
        });
        const g = interpret(probe.vjp, withCotangents(feeds, probe, cot), { maxBytes: s.maxBytes });
        probe.wrt.forEach((n, i) => rows[i]!.set(g[`grad:${n}`]!.data, row * sizeOf(inShapes[i]!)));
        s.tick();
      }
    });
  const per = probe.wrt.map((name, i) => {
    const shape = inShapes[i]!;
    const n = sizeOf(shape);
    const t = talliesOf(s);
    const x = feeds[name]!;
    for (let k = 0; k < n; k++) {
      // Forward mode: one Jacobian column per input element, from one JVP with a unit tangent.
      let column: Record<string, NDArray> | undefined;
      if (t.fwd) {
        const unit = new Float64Array(n);
        unit[k] = 1;
        column = interpret(probe.jvp!, tangentsFor(probe, feeds, name, unit), { maxBytes: s.maxBytes });
        s.tick();
      }
      const plus = Float64Array.from(x.data);
      const minus = Float64Array.from(x.data);
      plus[k]! += s.eps;
      minus[k]! -= s.eps;
      const fp = evalWith(probe, feeds, name, { shape, data: plus }, s);
      const fm = evalWith(probe, feeds, name, { shape, data: minus }, s);
      s.tick();
      s.tick();
      let r = 0;
      probe.outputs.forEach((o, oi) => {
        const a = fp[o]!.data;
        const b = fm[o]!.data;
        for (let j = 0; j < outSizes[oi]!; j++, r++) {
          const numeric = (a[j]! - b[j]!) / (2 * s.eps);
          const where = () => {
            const index = unravel(k, shape);
            const outputIndex = unravel(j, outShapes[oi]!);
            const os = stepOf(o, outputIndex, s.timeAxes);
            return { index, ...stepOf(name, index, s.timeAxes), output: o, outputIndex, ...(os.step !== undefined ? { outputStep: os.step } : {}) };
          };
          const reverse = rows[i]![r * n + k]!;
          const forward = column ? column[jvpName(o)]!.data[j]! : Number.NaN;
          t.rev?.add(reverse, numeric, where);
          t.fwd?.add(forward, numeric, where);
          t.agree?.add(forward, reverse, where);
        }
      });
    }
    return { name, shape, t };
  });
  return reportsOf(s, per);
}

/** Compare vᵀJu per input, for a random unit direction u and random cotangent v. */
export function checkFast(probe: Probe, feeds: Record<string, NDArray>, s: CheckSettings): InputReport[] {
  const rng = createRng(s.seed);
  const base = interpret(probe.forward, feeds, { maxBytes: s.maxBytes });
  const v: Record<string, NDArray> = {};
  for (const o of probe.outputs) {
    const shape = base[o]!.shape;
    v[o] = { shape, data: Float64Array.from({ length: sizeOf(shape) }, () => rng.normal()) };
  }
  const reverseModeOn = s.modes.includes('rev');
  const g = reverseModeOn ? interpret(probe.vjp, withCotangents(feeds, probe, v), { maxBytes: s.maxBytes }) : undefined;
  if (g) s.tick();
  const per = probe.wrt.map((name) => {
    const x = feeds[name]!;
    const u = Float64Array.from({ length: x.data.length }, () => rng.normal());
    let sq = 0;
    for (let k = 0; k < u.length; k++) sq += u[k]! * u[k]!;
    const norm = Math.sqrt(sq) || 1;
    for (let k = 0; k < u.length; k++) u[k]! /= norm;
    // Reverse mode: (vᵀJ)·u; forward mode: vᵀ·(J u).
    let reverse = 0;
    if (g) {
      const gx = g[`grad:${name}`]!.data;
      for (let k = 0; k < u.length; k++) reverse += gx[k]! * u[k]!;
    }
    let forward = 0;
    if (probe.jvp && s.modes.includes('fwd')) {
      const ju = interpret(probe.jvp, tangentsFor(probe, feeds, name, u), { maxBytes: s.maxBytes });
      s.tick();
      for (const o of probe.outputs) {
        const d = ju[jvpName(o)]!.data;
        const vo = v[o]!.data;
        for (let j = 0; j < d.length; j++) forward += vo[j]! * d[j]!;
      }
    }
    const plus = Float64Array.from(x.data, (xi, k) => xi + s.eps * u[k]!);
    const minus = Float64Array.from(x.data, (xi, k) => xi - s.eps * u[k]!);
    const fp = evalWith(probe, feeds, name, { shape: x.shape, data: plus }, s);
    const fm = evalWith(probe, feeds, name, { shape: x.shape, data: minus }, s);
    s.tick();
    s.tick();
    let numeric = 0;
    for (const o of probe.outputs) {
      const a = fp[o]!.data;
      const b = fm[o]!.data;
      const vo = v[o]!.data;
      for (let j = 0; j < a.length; j++) numeric += (vo[j]! * (a[j]! - b[j]!)) / (2 * s.eps);
    }
    const t = talliesOf(s);
    const where = () => ({ index: [] });
    t.rev?.add(reverse, numeric, where);
    t.fwd?.add(forward, numeric, where);
    t.agree?.add(forward, reverse, where);
    return { name, shape: x.shape, t };
  });
  return reportsOf(s, per);
}

/** Random cotangents for the outputs of `probe` (second-order checks feed them as inputs). */
export function randomCotangents(probe: Probe, feeds: Feeds, seed: number, maxBytes: number): Record<string, NDArray> {
  const rng = createRng(seed ^ 0x5eed);
  const base = interpret(probe.forward, feeds, { maxBytes });
  const out: Record<string, NDArray> = {};
  for (const o of probe.outputs) {
    const shape = base[o]!.shape;
    out[probeCotangent(o)] = { shape, data: Float64Array.from({ length: sizeOf(shape) }, () => rng.uniform(-1, 1)) };
  }
  return out;
}
