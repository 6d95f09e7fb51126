/**
 * The Lyapunov spectrum of a cell driven by an input sequence (Benettin et al. 1980): carry k
 * orthonormal tangent directions along the trajectory, push them through the state Jacobian at
 * every step (forward mode: k tangent rows of the one-step map, all at the current state, one
 * evaluation per step), re-orthonormalise by QR (ml-matrix), and average log|R_jj|. The exponents are
 * per step, in nats, largest first; for a linear map h' = A h + B x they are log|eig(A)|.
 */
import { CellgradError, interpret } from '@cellgrad/graph';
import { jvp } from '@cellgrad/autodiff';
import { Matrix, QrDecomposition } from 'ml-matrix';
import type { Cell } from '../cell.js';
import { checkDynamicsParams, type DynamicsParams } from './params.js';
import { mapFeeds, stateMap, type DynamicsSizes } from './state-map.js';

/** Options of `lyapunovSpectrum`. */
export interface LyapunovOptions {
  /** The sizes the cell runs at (the parameters must fit them). */
  readonly sizes: DynamicsSizes;
  /** How many exponents (default: the state size n). */
  readonly k?: number;
  /** The initial flat state (default zeros). */
  readonly initial?: ArrayLike<number>;
  /** Steps run before averaging starts (default a tenth of the sequence). */
  readonly warmup?: number;
}

/** What `lyapunovSpectrum` returns. */
export interface LyapunovReport {
  /** The k exponents, per step, largest first. */
  readonly exponents: number[];
  /** Steps averaged over. */
  readonly steps: number;
  readonly warmup: number;
  /** The final state. */
  readonly final: number[];
}

/**
 * The k largest Lyapunov exponents of `cell` with `params` along the trajectory driven by `inputs`
 * (one row of I values per step).
 * @example
 * const { exponents } = lyapunovSpectrum(lstm, params, xs, { sizes: { input: 2, hidden: 8 }, k: 4 });
 */
export function lyapunovSpectrum(cell: Cell, params: DynamicsParams, inputs: readonly ArrayLike<number>[], options: LyapunovOptions): LyapunovReport {
  const { sizes } = options;
  const values = checkDynamicsParams(cell, sizes, params, `lyapunovSpectrum(cell '${cell.name}')`);
  const n = stateMap(cell, sizes, 1).size;
  const k = options.k ?? n;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new CellgradError('usage', `lyapunovSpectrum: k must be an integer in 1..${n} (the state size), got ${k}`);
  const T = inputs.length;
  const warmup = options.warmup ?? Math.floor(T / 10);
  if (!Number.isInteger(warmup) || warmup < 0 || warmup >= T) {
    throw new CellgradError('usage', `lyapunovSpectrum: warmup must be an integer in 0..${T - 1} (the sequence has ${T} steps), got ${warmup}`);
  }
  inputs.forEach((x, t) => {
    if (x.length !== sizes.input)
      throw new CellgradError('usage', `lyapunovSpectrum: input at step ${t} has ${x.length} values, the cell's input size is ${sizes.input}`);
  });
  const map = stateMap(cell, sizes, k);
  const graph = jvp(map.graph, { wrt: ['s'], of: ['next'] });
  let state = Float64Array.from(options.initial ?? new Float64Array(n));
  if (state.length !== n) throw new CellgradError('usage', `lyapunovSpectrum: the initial state has ${state.length} values, the state has ${n}`);
  // Q: k orthonormal columns (n×k), stored as k rows of n (the tangent rows).
  let q = new Float64Array(k * n);
  for (let j = 0; j < k; j++) q[j * n + j] = 1;
  const sums = new Float64Array(k);
  for (let t = 0; t < T; t++) {
    const rows = new Float64Array(k * n);
    for (let j = 0; j < k; j++) rows.set(state, j * n);
    const out = interpret(graph, { ...mapFeeds(map, rows, Float64Array.from(inputs[t]!), values), 'tan:s': { shape: [k, n], data: q } });
    state = Float64Array.from(out.next!.data.subarray(0, n));
    const moved = out['jvp:next']!.data;
    const m = new Matrix(n, k);
    for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) m.set(i, j, moved[j * n + i]!);
    const qr = new QrDecomposition(m);
    const Q = qr.orthogonalMatrix;
    const R = qr.upperTriangularMatrix;
    q = new Float64Array(k * n);
    for (let j = 0; j < k; j++) for (let i = 0; i < n; i++) q[j * n + i] = Q.get(i, j);
    if (t >= warmup) for (let j = 0; j < k; j++) sums[j]! += Math.log(Math.abs(R.get(j, j)));
    if (!state.every(Number.isFinite)) throw new CellgradError('nonfinite', `lyapunovSpectrum: the state is not finite after step ${t}`);
  }
  const steps = T - warmup;
  const exponents = Array.from(sums, (s) => s / steps).sort((a, b) => b - a);
  return { exponents, steps, warmup, final: Array.from(state) };
}
