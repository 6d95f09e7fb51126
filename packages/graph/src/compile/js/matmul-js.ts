/**
 * Matrix product in plain JavaScript on the arena, with 4×4 register tiling: sixteen accumulators
 * stay in registers while the k loop streams four rows of A and four columns of B. The left operand
 * is read through any strides (a transposed A costs nothing); the right one needs unit column
 * stride. Sums run over k in order, in float64, so float64 results equal the interpreter's.
 */
import type { TypedArray } from '../../ir/dtype.js';

/** Operands of one product C[m×n] = A[m×k] · B[k×n], as arena offsets and strides (elements). */
export interface MatmulArgs {
  readonly c: number;
  readonly a: number;
  readonly rsA: number;
  readonly csA: number;
  readonly b: number;
  readonly rsB: number;
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /**
   * Optional: arena offset of B's first n − n mod 8 columns packed in panels of 8 columns
   * ([panel][k][8], contiguous), for kernels that use it (the WebAssembly one); edges read `b`.
   */
  readonly packedB?: number;
}

/** C = A·B for rows [i0, m) and all columns, or rows [0, m) and columns [j0, n) (for kernels' edges). */
export function matmulJs(M: TypedArray, p: MatmulArgs, i0 = 0, j0 = 0): void {
  const { c, a, rsA, csA, b, rsB, m, k, n } = p;
  const m4 = i0 + ((m - i0) & ~3);
  const n4 = j0 + ((n - j0) & ~3);
  for (let i = i0; i < m4; i += 4) {
    const a0 = a + i * rsA;
    const a1 = a0 + rsA;
    const a2 = a1 + rsA;
    const a3 = a2 + rsA;
    for (let j = j0; j < n4; j += 4) {
      let c00 = 0,
        c01 = 0,
        c02 = 0,
        c03 = 0,
        c10 = 0,
        c11 = 0,
        c12 = 0,
        c13 = 0;
      let c20 = 0,
        c21 = 0,
        c22 = 0,
        c23 = 0,
        c30 = 0,
        c31 = 0,
        c32 = 0,
        c33 = 0;
      let pb = b + j;
      let pa = 0;
      for (let q = 0; q < k; q++) {
        const x0 = M[a0 + pa]!,
          x1 = M[a1 + pa]!,
          x2 = M[a2 + pa]!,
          x3 = M[a3 + pa]!;
        const y0 = M[pb]!,
          y1 = M[pb + 1]!,
          y2 = M[pb + 2]!,
          y3 = M[pb + 3]!;
        c00 += x0 * y0;
        c01 += x0 * y1;
        c02 += x0 * y2;
        c03 += x0 * y3;
        c10 += x1 * y0;
        c11 += x1 * y1;
        c12 += x1 * y2;
        c13 += x1 * y3;
        c20 += x2 * y0;
        c21 += x2 * y1;
        c22 += x2 * y2;
        c23 += x2 * y3;
        c30 += x3 * y0;
        c31 += x3 * y1;
        c32 += x3 * y2;
        c33 += x3 * y3;
        pa += csA;
        pb += rsB;
      }
      let o = c + i * n + j;
      M[o] = c00;
      M[o + 1] = c01;
      M[o + 2] = c02;
      M[o + 3] = c03;
      o += n;
      M[o] = c10;
      M[o + 1] = c11;
      M[o + 2] = c12;
      M[o + 3] = c13;
      o += n;
      M[o] = c20;
      M[o + 1] = c21;
      M[o + 2] = c22;
      M[o + 3] = c23;
      o += n;
      M[o] = c30;
      M[o + 1] = c31;
      M[o + 2] = c32;
      M[o + 3] = c33;
    }
    for (let r = i; r < i + 4; r++) edgeRow(M, p, r, n4, n);
  }
  for (let r = m4; r < m; r++) edgeRow(M, p, r, j0, n);
}

/** Row `i`, columns [j0, j1), one dot product at a time. */
function edgeRow(M: TypedArray, p: MatmulArgs, i: number, j0: number, j1: number): void {
  const { c, a, rsA, csA, b, rsB, n, k } = p;
  const ai = a + i * rsA;
  for (let j = j0; j < j1; j++) {
    let s = 0;
    for (let q = 0; q < k; q++) s += M[ai + q * csA]! * M[b + q * rsB + j]!;
    M[c + i * n + j] = s;
  }
}
