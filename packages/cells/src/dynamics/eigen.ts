/**
 * Eigenvalues of a real, generally nonsymmetric matrix (a state Jacobian), from ml-matrix's
 * EigenvalueDecomposition (Hessenberg reduction and shifted QR), sorted by modulus, largest first.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';

/** A complex eigenvalue. */
export interface Eigenvalue {
  readonly re: number;
  readonly im: number;
}

/** |λ|. */
export const modulus = (l: Eigenvalue): number => Math.hypot(l.re, l.im);

/** The eigenvalues of the n×n matrix `a` (row-major), largest modulus first. */
export function eigenvalues(a: Float64Array, n: number): Eigenvalue[] {
  const rows = Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)));
  const e = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: false });
  const out = e.realEigenvalues.map((re, i) => ({ re, im: e.imaginaryEigenvalues[i]! }));
  return out.sort((p, q) => modulus(q) - modulus(p) || q.re - p.re || q.im - p.im);
}
