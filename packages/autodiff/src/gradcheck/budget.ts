/**
 * The memory a gradient check needs, checked before its first evaluation: the interpreter's peak on
 * the larger probe graph, the perturbed copies of an input and the two evaluations held for the
 * central difference, plus in full mode the analytic Jacobian (outputs × inputs elements, float64).
 */
import { checkMemoryBudget, interpretPeak, sizeOf, type NDArray } from '@cellgrad/graph';
import type { Probe } from './probe.js';

/** Throw the memory-budget shape error when checking `probe` at `feeds` would exceed `maxBytes`. */
export function checkGradcheckMemory(probe: Probe, feeds: Readonly<Record<string, NDArray>>, mode: 'full' | 'fast', maxBytes: number): void {
  const g = probe.forward;
  const outElements = probe.outputs.reduce((n, o) => n + sizeOf(g.nodes[g.outputs.find((p) => p.name === o)!.id]!.shape), 0);
  const inElements = probe.wrt.reduce((n, name) => n + feeds[name]!.data.length, 0);
  const largestInput = probe.wrt.reduce((n, name) => Math.max(n, feeds[name]!.data.length), 0);
  const jacobianBytes = mode === 'full' ? 8 * outElements * inElements : 0;
  const forward = interpretPeak(probe.forward, false);
  const vjp = interpretPeak(probe.vjp, false);
  // A finite difference holds x ± eps (two copies of the input) and f(x + eps) while computing f(x − eps).
  const numeric = forward.bytes + 8 * outElements + 16 * largestInput;
  const [graph, peak] = vjp.bytes >= numeric ? [probe.vjp, vjp] : [probe.forward, forward];
  const extras =
    jacobianBytes > 0
      ? [{ label: `the analytic Jacobian (${outElements} outputs × ${inElements} inputs, float64; mode 'fast' needs none)`, bytes: jacobianBytes }]
      : [];
  checkMemoryBudget(graph, `gradcheck (${mode} mode)`, jacobianBytes + Math.max(vjp.bytes, numeric), maxBytes, peak.live, extras);
}
