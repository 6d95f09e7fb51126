/**
 * Minimising q from many starts at once by truncated Newton (Newton-CG): at each iteration every
 * row solves H p = −∇q approximately by conjugate gradients on Hessian-vector products (stopping at
 * negative curvature, where it falls back to the steepest descent on its first iteration), then
 * backtracks along p until q decreases enough (Armijo). Rows are independent: each has its own CG
 * scalars, step length and stopping point. Newton steps converge quadratically to zeros of
 * F(s) − s (fixed points) and to minima of q that are not zeros (slow points, Sussillo & Barak).
 */
import type { Speed } from './speed.js';

/** Options of `minimizeSpeed`. */
export interface NewtonOptions {
  /** Newton iterations at most (default 60). */
  readonly maxIterations?: number;
  /** CG iterations per Newton step at most (default min(n, 40)). */
  readonly cgIterations?: number;
  /** A row stops when q falls below this (default 1e-28) or ‖∇q‖ below `gradientTolerance`. */
  readonly qTolerance?: number;
  /** Default 1e-14. */
  readonly gradientTolerance?: number;
}

/** Where the rows ended. */
export interface Minimized {
  readonly states: Float64Array;
  readonly q: Float64Array;
  /** Newton iterations per row. */
  readonly iterations: Int32Array;
}

const dotRow = (a: Float64Array, b: Float64Array, r: number, n: number): number => {
  let s = 0;
  for (let i = r * n; i < (r + 1) * n; i++) s += a[i]! * b[i]!;
  return s;
};

/** Minimise q of every row of `states` ([rows, n]) with `speed`. */
export function minimizeSpeed(speed: Speed, start: Float64Array, rows: number, n: number, options: NewtonOptions = {}): Minimized {
  const maxIterations = options.maxIterations ?? 60;
  const cgMax = options.cgIterations ?? Math.min(n, 40);
  const qTol = options.qTolerance ?? 1e-28;
  const gTol = options.gradientTolerance ?? 1e-14;
  const states = Float64Array.from(start);
  const active = new Uint8Array(rows).fill(1);
  const iterations = new Int32Array(rows);
  let { q, grad } = speed.gradient(states);
  for (let it = 0; it < maxIterations; it++) {
    for (let r = 0; r < rows; r++) if (active[r] && (q[r]! <= qTol || Math.sqrt(dotRow(grad, grad, r, n)) <= gTol || !Number.isFinite(q[r]!))) active[r] = 0;
    if (!active.some(Boolean)) break;
    const p = newtonDirection(speed, states, grad, active, rows, n, cgMax);
    // Backtracking line search, row by row: halve until q decreases by Armijo's 1e-4 · t · ∇qᵀp.
    const step = new Float64Array(rows).fill(1);
    const pending = Uint8Array.from(active);
    const slope = Float64Array.from({ length: rows }, (_, r) => dotRow(grad, p, r, n));
    for (let r = 0; r < rows; r++) {
      if (!active[r] || slope[r]! < 0) continue;
      for (let i = r * n; i < (r + 1) * n; i++) p[i] = -grad[i]!; // not a descent direction: steepest descent
      slope[r] = -dotRow(grad, grad, r, n);
    }
    for (let halvings = 0; halvings < 30 && pending.some(Boolean); halvings++) {
      const trial = Float64Array.from(states);
      for (let r = 0; r < rows; r++) if (pending[r]) for (let i = r * n; i < (r + 1) * n; i++) trial[i] = states[i]! + step[r]! * p[i]!;
      const qt = speed.q(trial);
      for (let r = 0; r < rows; r++) {
        if (!pending[r]) continue;
        if (Number.isFinite(qt[r]!) && qt[r]! <= q[r]! + 1e-4 * step[r]! * slope[r]!) {
          pending[r] = 0;
          states.set(trial.subarray(r * n, (r + 1) * n), r * n);
          iterations[r]!++;
        } else step[r]! /= 2;
      }
    }
    for (let r = 0; r < rows; r++) if (pending[r]) active[r] = 0; // no decrease along p: stalled at a minimum of q
    ({ q, grad } = speed.gradient(states));
  }
  return { states, q, iterations };
}

/** Per-row CG on H p = −g (rows not `active` get p = 0). */
function newtonDirection(speed: Speed, states: Float64Array, g: Float64Array, active: Uint8Array, rows: number, n: number, cgMax: number): Float64Array {
  const p = new Float64Array(rows * n);
  const res = new Float64Array(rows * n);
  for (let i = 0; i < res.length; i++) res[i] = -g[i]!;
  const d = Float64Array.from(res);
  const running = Uint8Array.from(active);
  const gNorm = Float64Array.from({ length: rows }, (_, r) => Math.sqrt(dotRow(g, g, r, n)));
  for (let j = 0; j < cgMax && running.some(Boolean); j++) {
    const masked = new Float64Array(rows * n);
    for (let r = 0; r < rows; r++) if (running[r]) masked.set(d.subarray(r * n, (r + 1) * n), r * n);
    const hd = speed.hessianTimes(states, masked);
    for (let r = 0; r < rows; r++) {
      if (!running[r]) continue;
      const curvature = dotRow(d, hd, r, n);
      const rr = dotRow(res, res, r, n);
      if (!(curvature > 1e-300 * rr)) {
        if (j === 0) for (let i = r * n; i < (r + 1) * n; i++) p[i] = -g[i]!; // negative curvature at once: steepest descent
        running[r] = 0;
        continue;
      }
      const alpha = rr / curvature;
      for (let i = r * n; i < (r + 1) * n; i++) {
        p[i]! += alpha * d[i]!;
        res[i]! -= alpha * hd[i]!;
      }
      const rr2 = dotRow(res, res, r, n);
      if (Math.sqrt(rr2) <= Math.min(0.5, Math.sqrt(gNorm[r]!)) * gNorm[r]!) {
        running[r] = 0;
        continue;
      }
      const beta = rr2 / rr;
      for (let i = r * n; i < (r + 1) * n; i++) d[i] = res[i]! + beta * d[i]!;
    }
  }
  return p;
}
