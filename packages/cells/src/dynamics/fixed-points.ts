/**
 * Fixed and slow points of any cell (Sussillo & Barak 2013): minimise q(s) = ½‖F(s, x*) − s‖² from
 * many initial states at once by Newton-CG on the symbolic gradient and Hessian-vector products
 * (`newton-cg.ts`), deduplicate, keep the points whose q is below a tolerance, and give each the
 * eigenvalues of its state Jacobian ∂F/∂s (forward mode, `jacobian.ts`). The state is every state
 * of every layer flattened (`state-map.ts`): for an LSTM, (h, c).
 */
import { CellgradError, createRng, interpret } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { eigenvalues, modulus, type Eigenvalue } from './eigen.js';
import { stateJacobians } from './jacobian.js';
import { minimizeSpeed, type NewtonOptions } from './newton-cg.js';
import { checkDynamicsParams, type DynamicsParams } from './params.js';
import { speedOf } from './speed.js';
import { mapFeeds, stateMap, type DynamicsSizes, type StateSlot } from './state-map.js';

/** Options of `fixedPoints`. */
export interface FixedPointOptions extends NewtonOptions {
  /** The sizes the cell runs at (the parameters must fit them). */
  readonly sizes: DynamicsSizes;
  /** The constant input x* (default zeros). */
  readonly input?: ArrayLike<number>;
  /**
   * Initial states: a count (default 64), drawn uniformly from [−`startScale`, `startScale`]ⁿ, half of
   * them then run `warmup` steps of the map so they start among the states the network visits; or
   * the states themselves (each of length n, the flat state).
   */
  readonly starts?: number | readonly ArrayLike<number>[];
  /** Range of random starts (default 1). */
  readonly startScale?: number;
  /** Steps of the map run from half of the random starts (default 20). */
  readonly warmup?: number;
  /** Seed of the random starts (default 0). */
  readonly seed?: number;
  /** Keep points with q ≤ this: slow points (default 1e-6). */
  readonly tolerance?: number;
  /** Points with q ≤ this are fixed points (default 1e-16). */
  readonly fixedTolerance?: number;
  /** Two points closer than this (relative to max(1, ‖s‖)) are one (default 1e-4). */
  readonly dedupTolerance?: number;
}

/** One fixed or slow point. */
export interface FixedPoint {
  /** `fixed` (q ≤ fixedTolerance) or `slow`. */
  readonly kind: 'fixed' | 'slow';
  /** The flat state. */
  readonly state: number[];
  /** The same state by name: one array per layer (`{ h: [[…]], c: [[…]] }`). */
  readonly states: Record<string, number[][]>;
  /** q at the point. */
  readonly q: number;
  /** Eigenvalues of ∂F/∂s at the point, largest modulus first. */
  readonly eigenvalues: readonly Eigenvalue[];
  /** The largest |λ|. */
  readonly spectralRadius: number;
  /** Linearly stable: every |λ| < 1. */
  readonly stable: boolean;
  /** How many starts ended here. */
  readonly count: number;
}

/** What `fixedPoints` returns. */
export interface FixedPointsReport {
  readonly cell: string;
  readonly sizes: DynamicsSizes;
  /** Length of the flat state and its layout. */
  readonly stateSize: number;
  readonly slots: readonly StateSlot[];
  readonly input: number[];
  /** Starts minimised; how many ended at or below `tolerance`. */
  readonly starts: number;
  readonly converged: number;
  /** Distinct points kept, fixed points first, then by q. */
  readonly points: readonly FixedPoint[];
  /** Graph evaluations spent. */
  readonly evaluations: number;
}

function startStates(options: FixedPointOptions, n: number, step: (s: Float64Array, rows: number) => Float64Array): Float64Array {
  const starts = options.starts ?? 64;
  if (typeof starts !== 'number') {
    if (starts.length === 0) throw new CellgradError('usage', 'fixedPoints: starts is empty');
    const out = new Float64Array(starts.length * n);
    starts.forEach((s, i) => {
      if (s.length !== n) throw new CellgradError('usage', `fixedPoints: start ${i} has ${s.length} values, the state has ${n}`);
      out.set(Array.from(s), i * n);
    });
    return out;
  }
  if (!Number.isInteger(starts) || starts < 1) throw new CellgradError('usage', `fixedPoints: starts must be a positive integer, got ${starts}`);
  const scale = options.startScale ?? 1;
  const rng = createRng(options.seed ?? 0);
  const out = Float64Array.from({ length: starts * n }, () => rng.uniform(-scale, scale));
  const warm = Math.floor(starts / 2);
  if (warm > 0 && (options.warmup ?? 20) > 0) {
    let part: Float64Array = out.slice(0, warm * n);
    for (let t = 0; t < (options.warmup ?? 20); t++) part = step(part, warm);
    out.set(part, 0);
  }
  return out;
}

/**
 * Find the fixed and slow points of `cell` with `params` under constant input x*, and the
 * eigenvalues of the state Jacobian at each.
 * @example
 * const report = fixedPoints(lstm, params, { sizes: { input: 2, hidden: 8 }, input: [0, 0] });
 * for (const p of report.points) console.log(p.kind, p.q, p.spectralRadius);
 */
export function fixedPoints(cell: Cell, params: DynamicsParams, options: FixedPointOptions): FixedPointsReport {
  const sizes = options.sizes;
  const values = checkDynamicsParams(cell, sizes, params, `fixedPoints(cell '${cell.name}')`);
  const x = Float64Array.from(options.input ?? new Array<number>(sizes.input).fill(0));
  if (x.length !== sizes.input) throw new CellgradError('usage', `fixedPoints: the input x* has ${x.length} values, the cell's input size is ${sizes.input}`);
  const n = stateMap(cell, sizes, 1).size;
  const stepMaps = new Map<number, ReturnType<typeof stateMap>>();
  const mapFor = (rows: number) => stepMaps.get(rows) ?? stepMaps.set(rows, stateMap(cell, sizes, rows)).get(rows)!;
  const step = (s: Float64Array, rows: number) => interpret(mapFor(rows).graph, mapFeeds(mapFor(rows), s, x, values)).next!.data as Float64Array;
  const start = startStates(options, n, step);
  const rows = start.length / n;
  const speed = speedOf(mapFor(rows), x, values);
  const { states, q } = minimizeSpeed(speed, start, rows, n, options);

  const tolerance = options.tolerance ?? 1e-6;
  const fixedTolerance = options.fixedTolerance ?? 1e-16;
  const dedup = options.dedupTolerance ?? 1e-4;
  const order = [...Array(rows).keys()].filter((r) => q[r]! <= tolerance).sort((a, b) => q[a]! - q[b]!);
  const kept: { row: number; count: number }[] = [];
  for (const r of order) {
    const s = states.subarray(r * n, (r + 1) * n);
    const same = kept.find(({ row }) => {
      const o = states.subarray(row * n, (row + 1) * n);
      let d = 0;
      let norm = 0;
      for (let i = 0; i < n; i++) {
        d += (s[i]! - o[i]!) ** 2;
        norm += o[i]! ** 2;
      }
      return Math.sqrt(d) <= dedup * Math.max(1, Math.sqrt(norm));
    });
    if (same) same.count++;
    else kept.push({ row: r, count: 1 });
  }
  const map = mapFor(1);
  const points: FixedPoint[] = [];
  if (kept.length > 0) {
    const at = new Float64Array(kept.length * n);
    kept.forEach(({ row }, i) => at.set(states.subarray(row * n, (row + 1) * n), i * n));
    const jacobians = stateJacobians(mapFor(kept.length), at, x, values);
    kept.forEach(({ row, count }, i) => {
      const state = Array.from(at.subarray(i * n, (i + 1) * n));
      const eig = eigenvalues(jacobians[i]!, n);
      const radius = eig.length > 0 ? modulus(eig[0]!) : 0;
      points.push({
        kind: q[row]! <= fixedTolerance ? 'fixed' : 'slow',
        state,
        states: statesByName(map.slots, state),
        q: q[row]!,
        eigenvalues: eig,
        spectralRadius: radius,
        stable: radius < 1,
        count,
      });
    });
  }
  points.sort((a, b) => (a.kind === b.kind ? a.q - b.q : a.kind === 'fixed' ? -1 : 1));
  return {
    cell: cell.name,
    sizes,
    stateSize: n,
    slots: map.slots,
    input: Array.from(x),
    starts: rows,
    converged: order.length,
    points,
    evaluations: speed.evaluations,
  };
}

/** The flat state split by state name and layer. */
export function statesByName(slots: readonly StateSlot[], state: readonly number[]): Record<string, number[][]> {
  const out: Record<string, number[][]> = {};
  for (const sl of slots) {
    const size = sl.shape.reduce((a, d) => a * d, 1);
    (out[sl.state] ??= [])[sl.layer] = state.slice(sl.offset, sl.offset + size);
  }
  return out;
}
