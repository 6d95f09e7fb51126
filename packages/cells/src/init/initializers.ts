/**
 * Weight initialisers, seeded and reproducible: PyTorch's U(−1/√H, 1/√H), zeros and constants,
 * identity (IRNN), orthogonal (modified Gram–Schmidt of a Gaussian matrix), Glorot uniform and
 * normal. Each is a function of the parameter's shape, the generator and the hidden size; matrices
 * whose rows stack several gates (`[G·H, n]`) are initialised gate block by gate block where that
 * matters (identity, orthogonal), as a recurrent matrix per gate.
 */
import { CellgradError, sizeOf, type Rng, type Shape } from '@cellgrad/graph';

/** An initialiser: values (row-major) for a parameter of `shape`, drawn from `rng`. */
export type Initializer = (shape: Shape, rng: Rng, hidden: number) => Float64Array;

/** Number of gate blocks of a `[G·H, n]` matrix (1 when the rows are not a multiple of H). */
export function gateBlocks(shape: Shape, hidden: number): number {
  return shape.length === 2 && shape[0]! % hidden === 0 ? shape[0]! / hidden : 1;
}

/** PyTorch's default for recurrent layers: U(−1/√H, 1/√H). */
export const pytorchUniform = (): Initializer => (shape, rng, hidden) => {
  const bound = 1 / Math.sqrt(hidden);
  return Float64Array.from({ length: sizeOf(shape) }, () => rng.uniform(-bound, bound));
};

/** Every element `value` (default 0). */
export const constant =
  (value = 0): Initializer =>
  (shape) =>
    new Float64Array(sizeOf(shape)).fill(value);

/** Zeros. */
export const zeros = (): Initializer => constant(0);

/** Normal N(0, std²). */
export const normal =
  (std: number): Initializer =>
  (shape, rng) =>
    Float64Array.from({ length: sizeOf(shape) }, () => rng.normal() * std);

function matrix(shape: Shape, what: string): [number, number] {
  if (shape.length !== 2) throw new CellgradError('usage', `${what} initialiser: needs a matrix, got shape [${shape.join(',')}]`);
  return [shape[0]!, shape[1]!];
}

/** `gain` times the identity in each gate block (`[G·H, H]` gets G identities; IRNN uses it). */
export const identity =
  (gain = 1): Initializer =>
  (shape, _rng, hidden) => {
    const [rows, cols] = matrix(shape, 'identity');
    const g = gateBlocks(shape, hidden);
    const r = rows / g;
    const out = new Float64Array(rows * cols);
    for (let b = 0; b < g; b++) for (let i = 0; i < Math.min(r, cols); i++) out[(b * r + i) * cols + i] = gain;
    return out;
  };

/**
 * An orthonormal basis of the columns of `a` (n × m, n ≥ m) by modified Gram–Schmidt; a column that
 * is (numerically) dependent on the earlier ones is redrawn from `rng`.
 */
function gramSchmidt(n: number, m: number, rng: Rng): Float64Array[] {
  const cols: Float64Array[] = [];
  while (cols.length < m) {
    const v = Float64Array.from({ length: n }, () => rng.normal());
    for (const q of cols) {
      let dot = 0;
      for (let i = 0; i < n; i++) dot += q[i]! * v[i]!;
      for (let i = 0; i < n; i++) v[i]! -= dot * q[i]!;
    }
    const norm = Math.hypot(...v);
    if (norm < 1e-8) continue;
    for (let i = 0; i < n; i++) v[i]! /= norm;
    cols.push(v);
  }
  return cols;
}

/**
 * Orthogonal (Saxe et al. 2014): each gate block `[r, c]` is `gain` times a matrix with orthonormal
 * columns (r ≥ c) or rows (r < c), from Gram–Schmidt on a Gaussian matrix (as QR does).
 */
export const orthogonal =
  (gain = 1): Initializer =>
  (shape, rng, hidden) => {
    const [rows, cols] = matrix(shape, 'orthogonal');
    const g = gateBlocks(shape, hidden);
    const r = rows / g;
    const out = new Float64Array(rows * cols);
    for (let b = 0; b < g; b++) {
      const tall = r >= cols;
      const q = gramSchmidt(tall ? r : cols, tall ? cols : r, rng);
      for (let i = 0; i < r; i++) for (let j = 0; j < cols; j++) out[(b * r + i) * cols + j] = gain * (tall ? q[j]![i]! : q[i]![j]!);
    }
    return out;
  };

/** fan_in and fan_out of a weight stored `[out, in]` (a vector: its length both ways). */
function fans(shape: Shape): [number, number] {
  return shape.length === 2 ? [shape[1]!, shape[0]!] : [sizeOf(shape), sizeOf(shape)];
}

/** Glorot (Xavier) uniform: U(−l, l), l = √(6 / (fan_in + fan_out)), fans of the whole `[out, in]` matrix as Keras. */
export const glorotUniform = (): Initializer => (shape, rng) => {
  const [fi, fo] = fans(shape);
  const l = Math.sqrt(6 / (fi + fo));
  return Float64Array.from({ length: sizeOf(shape) }, () => rng.uniform(-l, l));
};

/** Glorot (Xavier) normal: N(0, 2 / (fan_in + fan_out)) (Keras truncates at 2σ; this does not). */
export const glorotNormal = (): Initializer => (shape, rng) => {
  const [fi, fo] = fans(shape);
  const s = Math.sqrt(2 / (fi + fo));
  return Float64Array.from({ length: sizeOf(shape) }, () => rng.normal() * s);
};

/**
 * A bias initialiser that sets gate block `gate` (e.g. 1 for the forget gate of an [i, f, g, o]
 * LSTM) to `value` and every other element to 0: "unit forget bias" (Jozefowicz et al. 2015).
 */
export const gateBias =
  (gate: number, value = 1): Initializer =>
  (shape, _rng, hidden) => {
    const out = new Float64Array(sizeOf(shape));
    out.fill(value, gate * hidden, (gate + 1) * hidden);
    return out;
  };
