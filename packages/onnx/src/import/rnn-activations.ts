/**
 * The activation functions ONNX's LSTM, GRU and RNN ops accept by name (case-insensitive), built from
 * cellgrad ops, and the reading of `activations` with `activation_alpha`/`activation_beta`: each
 * function that takes an alpha (beta) consumes the next one from the list, its default when the
 * list is used up (as ONNX Runtime does).
 */
import type { Tensor } from '@cellgrad/graph';
import type { NodeView } from './context.js';

/** An activation applied to a gate's pre-activation. */
export type Activation = (x: Tensor) => Tensor;

type Maker = (alpha: number, beta: number) => Activation;

/** Per name: default alpha and beta (undefined when the function takes none) and the function. */
const ACTIVATIONS: Readonly<Record<string, { alpha?: number; beta?: number; make: Maker }>> = {
  sigmoid: { make: () => (x) => x.sigmoid() },
  tanh: { make: () => (x) => x.tanh() },
  relu: { make: () => (x) => x.relu() },
  hardsigmoid: { alpha: 0.2, beta: 0.5, make: (a, b) => (x) => x.mul(a).add(b).clamp(0, 1) },
  affine: { alpha: 1, beta: 0, make: (a, b) => (x) => x.mul(a).add(b) },
  leakyrelu: { alpha: 0.01, make: (a) => (x) => x.less(0).where(x.mul(a), x) },
  thresholdedrelu: { alpha: 1, make: (a) => (x) => x.greater(a).where(x, 0) },
  scaledtanh: { alpha: 1, beta: 1, make: (a, b) => (x) => x.mul(b).tanh().mul(a) },
  elu: { alpha: 1, make: (a) => (x) => x.greaterEqual(0).where(x, x.minimum(0).exp().sub(1).mul(a)) },
  softsign: { make: () => (x) => x.div(x.abs().add(1)) },
  softplus: { make: () => (x) => x.softplus() },
};

/**
 * The activations of a recurrent node: `perDirection` functions for each of `dirs` directions
 * (`defaults` when the attribute is absent; one direction's list is reused for both).
 */
export function recurrentActivations(n: NodeView, defaults: readonly string[], dirs: number): Activation[][] {
  let names = n.stringList('activations') ?? [];
  const per = defaults.length;
  if (names.length === 0) names = Array.from({ length: dirs }, () => defaults).flat();
  else if (names.length === per && dirs === 2) names = [...names, ...names];
  if (names.length !== per * dirs) n.unsupported(`activations lists ${names.length} functions, expected ${per * dirs} (${per} per direction)`);
  const alphas = n.floatList('activation_alpha') ?? [];
  const betas = n.floatList('activation_beta') ?? [];
  let ai = 0;
  let bi = 0;
  const fns = names.map((raw) => {
    const entry = ACTIVATIONS[raw.toLowerCase()];
    if (!entry) n.unsupported(`activation '${raw}' (supported: ${Object.keys(ACTIVATIONS).join(', ')})`);
    const alpha = entry.alpha === undefined ? 0 : ai < alphas.length ? alphas[ai++]! : entry.alpha;
    const beta = entry.beta === undefined ? 0 : bi < betas.length ? betas[bi++]! : entry.beta;
    return entry.make(alpha, beta);
  });
  return Array.from({ length: dirs }, (_, d) => fns.slice(d * per, (d + 1) * per));
}
