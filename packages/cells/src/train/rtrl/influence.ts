/**
 * Influence matrices M = ∂s_t/∂θ of one example, carried forward step by step:
 * - exact RTRL: M_t = J_s M_{t−1} + J_θ, dense |s| × |θ|;
 * - SnAp-1 (Menick et al. 2020): the same recursion with every entry outside the sparsity pattern of
 *   the one-step Jacobian J_θ dropped after each step, so a parameter keeps its influence only on the
 *   state units it writes directly; stored as its nonzero entries, column by column.
 * Both give the loss gradient through the state as g += (∂L_t/∂s_{t−1}) · M_{t−1}.
 */

/** One example's influence matrix. */
export interface Influence {
  /** Add a · M (a: |s|) to `out` (|θ|). */
  addGradient(a: Float64Array, out: Float64Array): void;
  /** Advance one step: M ← J_s M + J_θ (restricted to the pattern for SnAp-1). */
  advance(jState: Float64Array, jParams: Float64Array): void;
  /** Values stored. */
  readonly entries: number;
}

/** The exact influence matrix, |s| × |θ| row-major, starting at zero (the initial state does not depend on θ). */
export function exactInfluence(S: number, P: number): Influence {
  let m = new Float64Array(S * P);
  let spare = new Float64Array(S * P);
  return {
    entries: S * P,
    addGradient(a, out) {
      for (let j = 0; j < S; j++) {
        const aj = a[j]!;
        if (aj === 0) continue;
        const row = j * P;
        for (let p = 0; p < P; p++) out[p]! += aj * m[row + p]!;
      }
    },
    advance(jState, jParams) {
      spare.set(jParams);
      for (let i = 0; i < S; i++) {
        const to = i * P;
        for (let j = 0; j < S; j++) {
          const f = jState[i * S + j]!;
          if (f === 0) continue;
          const from = j * P;
          for (let p = 0; p < P; p++) spare[to + p]! += f * m[from + p]!;
        }
      }
      [m, spare] = [spare, m];
    },
  };
}

/** The SnAp-1 sparsity pattern: for every parameter column p, the state rows where J_θ can be nonzero. */
export interface SparsityPattern {
  /** Column p's entries are rows[start[p] .. start[p + 1]). */
  readonly start: Int32Array;
  readonly rows: Int32Array;
}

/** The pattern of the nonzero entries of one or more J_θ (|s| × |θ|), united. */
export function patternOf(jacobians: readonly Float64Array[], S: number, P: number): SparsityPattern {
  const start = new Int32Array(P + 1);
  const rows: number[] = [];
  for (let p = 0; p < P; p++) {
    start[p] = rows.length;
    for (let i = 0; i < S; i++) if (jacobians.some((j) => j[i * P + p] !== 0)) rows.push(i);
  }
  start[P] = rows.length;
  return { start, rows: Int32Array.from(rows) };
}

/** A SnAp-1 influence matrix on `pattern` (its nonzeros only), starting at zero. */
export function snap1Influence(S: number, P: number, pattern: SparsityPattern): Influence {
  const { start, rows } = pattern;
  let m = new Float64Array(rows.length);
  let spare = new Float64Array(rows.length);
  return {
    entries: rows.length,
    addGradient(a, out) {
      for (let p = 0; p < P; p++) {
        let sum = 0;
        for (let k = start[p]!; k < start[p + 1]!; k++) sum += a[rows[k]!]! * m[k]!;
        out[p]! += sum;
      }
    },
    advance(jState, jParams) {
      for (let p = 0; p < P; p++) {
        const lo = start[p]!;
        const hi = start[p + 1]!;
        for (let k = lo; k < hi; k++) {
          const i = rows[k]!;
          let v = jParams[i * P + p]!;
          for (let q = lo; q < hi; q++) v += jState[i * S + rows[q]!]! * m[q]!;
          spare[k] = v;
        }
      }
      [m, spare] = [spare, m];
    },
  };
}
