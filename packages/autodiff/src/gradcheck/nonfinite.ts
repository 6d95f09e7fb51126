/**
 * When a gradient check meets NaN or ±Infinity (in a symbolic or a finite-difference derivative), it
 * says where the first one comes from instead of a bare FAIL: the forward graph, then the VJP graph,
 * then the finite-difference evaluation of the offending element, each run once through the
 * interpreter's non-finite check, which stops at the first culprit node (op, cell, layer, step).
 */
import { interpret, NonFiniteError, type NDArray, type NonFiniteReport } from '@cellgrad/graph';
import { probeCotangent, type Probe } from './probe.js';
import type { InputReport } from './types.js';

/** Where the first non-finite value of a failing check was produced. */
export interface NonFiniteFinding {
  /** The evaluation that produced it: the forward pass, the VJP (backward) pass, or a perturbed forward pass. */
  readonly during: 'forward' | 'backward' | 'finite difference';
  /** For a finite difference: the input and element that was perturbed. */
  readonly perturbed?: { readonly input: string; readonly index: readonly number[]; readonly sign: 1 | -1 };
  /** The non-finite check's report (node, op, scope, value ranges). */
  readonly report: NonFiniteReport;
  /** Its one-line message. */
  readonly message: string;
}

/** True when an input's worst element holds a non-finite derivative. */
export function hasNonFinite(r: InputReport): boolean {
  return r.worst !== undefined && (!Number.isFinite(r.worst.analytic) || !Number.isFinite(r.worst.numeric));
}

/** Run `fn`; the NonFiniteError it throws as a finding, or undefined when it completes. */
function caught(during: NonFiniteFinding['during'], fn: () => void, perturbed?: NonFiniteFinding['perturbed']): NonFiniteFinding | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (!(e instanceof NonFiniteError)) throw e;
    return { during, ...(perturbed ? { perturbed } : {}), report: e.report, message: e.message };
  }
}

/** `x` with element `flat` moved by `delta`. */
function nudged(x: NDArray, flat: number, delta: number): NDArray {
  const data = Float64Array.from(x.data);
  data[flat]! += delta;
  return { shape: x.shape, data };
}

/**
 * The first non-finite value behind a failing check of `probe` at `feeds`, or undefined when none
 * of the evaluations tried produces one. The VJP pass runs with all-ones cotangents; the finite
 * differences are re-run for the worst element of each input whose report is non-finite (full mode).
 */
export function locateNonFinite(probe: Probe, feeds: Record<string, NDArray>, inputs: readonly InputReport[], eps: number): NonFiniteFinding | undefined {
  const forward = caught('forward', () => interpret(probe.forward, feeds, { checkFinite: true }));
  if (forward) return forward;
  const base = interpret(probe.forward, feeds);
  const ones = Object.fromEntries(
    probe.outputs.map((o) => [probeCotangent(o), { shape: base[o]!.shape, data: new Float64Array(base[o]!.data.length).fill(1) }]),
  );
  const backward = caught('backward', () => interpret(probe.vjp, { ...feeds, ...ones }, { checkFinite: true }));
  if (backward) return backward;
  for (const r of inputs) {
    const w = r.worst;
    if (!w || !hasNonFinite(r) || w.index.length !== r.shape.length || (r.shape.length === 0 && w.output === undefined)) continue;
    const flat = w.index.reduce((acc, i, d) => acc * r.shape[d]! + i, 0);
    for (const sign of [1, -1] as const) {
      const moved = { ...feeds, [r.name]: nudged(feeds[r.name]!, flat, sign * eps) };
      const found = caught('finite difference', () => interpret(probe.forward, moved, { checkFinite: true }), { input: r.name, index: w.index, sign });
      if (found) return found;
    }
  }
  return undefined;
}

/** "forward pass", "backward (VJP) pass", "finite difference (x[3,0,1] + eps)" */
export function formatDuring(f: NonFiniteFinding): string {
  if (f.during === 'forward') return 'forward pass';
  if (f.during === 'backward') return 'backward (VJP) pass';
  const p = f.perturbed!;
  return `finite difference (${p.input}[${p.index.join(',')}] ${p.sign > 0 ? '+' : '−'} eps)`;
}
