/**
 * `gradcheck`: prove a graph's symbolic gradients right against central finite differences in
 * float64 — every Jacobian element (default) or random projections (fast mode), first and
 * optionally second order; reverse mode, forward mode, or both (then also against each other).
 */
import { castGraph, checkFeeds, checkMaxBytes, fail, type Feeds, type Graph, type NDArray } from '@cellgrad/graph';
import { checkGradcheckMemory } from './budget.js';
import { checkFast, checkFull, randomCotangents, type CheckSettings } from './first-order.js';
import { hasNonFinite, locateNonFinite } from './nonfinite.js';
import { makeProbe, probeCotangent, type Probe } from './probe.js';
import type { GradcheckDerivation, GradcheckOptions, GradcheckReport, InputReport, OrderReport } from './types.js';

function f64Feeds(g: Graph, feeds: Feeds): Record<string, NDArray> {
  const g64 = castGraph(g, 'float64');
  const values = checkFeeds(g64, feeds);
  return Object.fromEntries(g64.inputs.map((p, i) => [p.name, values[i]!]));
}

/** Rough count of graph evaluations, for progress reporting. */
function plannedEvaluations(probe: Probe, feeds: Record<string, NDArray>, mode: 'full' | 'fast', outSize: number, modes: readonly string[]): number {
  const inSize = probe.wrt.reduce((n, name) => n + feeds[name]!.data.length, 0);
  const rev = modes.includes('rev') ? 1 : 0;
  const fwd = modes.includes('fwd') ? 1 : 0;
  return mode === 'full' ? rev * outSize + (2 + fwd) * inSize : rev + (2 + fwd) * probe.wrt.length;
}

/**
 * Check the symbolic derivatives of `g` at `inputs` against central finite differences (float64).
 * Defaults are PyTorch's: eps 1e-6, atol 1e-5, rtol 1e-3; an element passes iff
 * |analytic − numeric| ≤ atol + rtol·|numeric|. The report names, per input, the largest absolute
 * and relative errors and the worst element (with its time step when `timeAxes` names one). When a
 * derivative is NaN or ±Infinity, the order's `nonFinite` says which node (op, cell, layer, step) of
 * which pass produced the first non-finite value.
 * @example
 * const report = gradcheck(unroll(lstm, sizes), feeds, { timeAxes: { x: 0, out: 0 }, modes: ['fwd', 'rev'] });
 * if (!report.passed) console.log(formatGradcheck(report));
 */
export function gradcheck(g: Graph, inputs: Feeds, options: GradcheckOptions = {}): GradcheckReport {
  const started = performance.now();
  const eps = options.eps ?? 1e-6;
  const atol = options.atol ?? 1e-5;
  const rtol = options.rtol ?? 1e-3;
  const mode = options.mode ?? 'full';
  const order = options.order ?? 1;
  if (!(eps > 0) || !(atol >= 0) || !(rtol >= 0)) fail('usage', `gradcheck: eps must be > 0 and atol, rtol ≥ 0 (got eps ${eps}, atol ${atol}, rtol ${rtol})`);
  if (mode !== 'full' && mode !== 'fast') fail('usage', `gradcheck: mode must be 'full' or 'fast', got '${String(mode)}'`);
  if (order !== 1 && order !== 2) fail('usage', `gradcheck: order must be 1 or 2, got ${String(order)}`);
  const modes: GradcheckDerivation[] = [...new Set<GradcheckDerivation>(options.modes ?? ['rev'])];
  if (modes.length === 0 || modes.some((m) => m !== 'rev' && m !== 'fwd')) {
    fail('usage', `gradcheck: modes must be a non-empty list of 'fwd' and 'rev', got ${JSON.stringify(options.modes)}`);
  }
  const forwardMode = modes.includes('fwd');
  const seed = options.seed ?? 0;
  const maxBytes = checkMaxBytes(options.maxBytes, 'gradcheck');
  const feeds = f64Feeds(g, inputs);
  let evaluations = 0;
  let planned = 0;
  const settings: CheckSettings = {
    eps,
    atol,
    rtol,
    seed,
    maxBytes,
    modes,
    timeAxes: options.timeAxes ?? {},
    tick: () => {
      evaluations++;
      options.onProgress?.(evaluations, Math.max(planned, evaluations));
    },
  };
  const run = (probe: Probe, f: Record<string, NDArray>): InputReport[] => (mode === 'full' ? checkFull(probe, f, settings) : checkFast(probe, f, settings));

  const first = makeProbe(g, options.outputs, options.wrt, forwardMode);
  checkGradcheckMemory(first, feeds, mode, maxBytes);
  const outSize = (probeFeeds: Record<string, NDArray>, p: Probe) => p.outputs.reduce((n, o) => n + (probeFeeds[probeCotangent(o)]?.data.length ?? 0), 0);
  const firstCots = randomCotangents(first, feeds, seed, maxBytes);
  planned = plannedEvaluations(first, feeds, mode, outSize(firstCots, first), modes);
  const orders: OrderReport[] = [];
  const orderReport = (order: 1 | 2, probe: Probe, f: Record<string, NDArray>, inputs: InputReport[]): OrderReport => {
    const nonFinite = inputs.some(hasNonFinite) ? locateNonFinite(probe, f, inputs, eps) : undefined;
    return { order, inputs, passed: inputs.every((r) => r.passed), ...(nonFinite ? { nonFinite } : {}) };
  };
  orders.push(orderReport(1, first, feeds, run(first, feeds)));

  if (order === 2) {
    // Second order: check the VJP graph itself, w.r.t. the inputs and the cotangents (as gradgradcheck).
    const feeds2 = { ...feeds, ...firstCots };
    const wrt2 = [...first.wrt, ...first.outputs.map(probeCotangent)];
    const second = makeProbe(
      first.vjp,
      first.vjp.outputs.map((o) => o.name),
      wrt2,
      forwardMode,
    );
    checkGradcheckMemory(second, feeds2, mode, maxBytes);
    planned += plannedEvaluations(
      second,
      feeds2,
      mode,
      first.wrt.reduce((n, name) => n + feeds[name]!.data.length, 0),
      modes,
    );
    orders.push(orderReport(2, second, feeds2, run(second, feeds2)));
  }
  return {
    passed: orders.every((o) => o.passed),
    mode,
    modes,
    eps,
    atol,
    rtol,
    orders,
    evaluations,
    seconds: (performance.now() - started) / 1000,
  };
}

export type { GradcheckDerivation, GradcheckOptions, GradcheckReport, InputReport, OrderReport, WorstElement } from './types.js';
export { formatGradcheck } from './format.js';
export type { NonFiniteFinding } from './nonfinite.js';
