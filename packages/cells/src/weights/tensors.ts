/**
 * Tensor helpers of the weight loaders: a tensor dictionary's entries checked by name and shape
 * (errors name the tensor, the expected shape and the shape found), transposes and gate-block
 * permutations between PyTorch's `[G·H, in]` rows and Keras's `[in, G·U]` columns.
 */
import { CellgradError, formatShape, sameShape, sizeOf, type NDArray, type Shape } from '@cellgrad/graph';

/** Named tensors, as files hold them. */
export type TensorDict = Readonly<Record<string, NDArray>>;

/** Reads tensors out of a dictionary, remembering which were used. */
export class TensorReader {
  private readonly used = new Set<string>();

  constructor(
    private readonly tensors: TensorDict,
    private readonly what: string,
  ) {
    if (typeof tensors !== 'object' || tensors === null) throw new CellgradError('usage', `${what}: expected an object of named tensors`);
  }

  /** The tensor `name`, which must have `shape`. */
  take(name: string, shape: Shape): NDArray {
    const t = Object.hasOwn(this.tensors, name) ? this.tensors[name] : undefined;
    if (t === undefined) throw new CellgradError('usage', `${this.what}: missing tensor '${name}' (expected shape ${formatShape(shape)})`);
    if (!t || !Array.isArray(t.shape) || !t.data || t.data.length !== sizeOf(t.shape)) {
      throw new CellgradError('usage', `${this.what}: tensor '${name}' is not a {shape, data} tensor with matching sizes`);
    }
    if (!sameShape(t.shape, shape))
      throw new CellgradError('usage', `${this.what}: tensor '${name}' has shape ${formatShape(t.shape)}, expected ${formatShape(shape)}`);
    this.used.add(name);
    return t;
  }

  /** Fail when the dictionary holds tensors that were never taken (a misnamed or foreign tensor). */
  finish(): void {
    const extra = Object.keys(this.tensors).filter((k) => !this.used.has(k));
    if (extra.length > 0) throw new CellgradError('usage', `${this.what}: unexpected tensor(s) ${extra.map((k) => `'${k}'`).join(', ')}`);
  }
}

/** A float64 copy of `t` with `shape`. */
export function tensor(shape: Shape, data: ArrayLike<number>): NDArray {
  return { shape: [...shape], data: Float64Array.from(data) };
}

/** PyTorch `[G·H, n]` → Keras `[n, G·H]`, Keras block j taken from PyTorch block perm[j]. */
export function toKerasMatrix(w: NDArray, perm: readonly number[]): NDArray {
  const [rows, n] = w.shape as [number, number];
  const H = rows / perm.length;
  const out = new Float64Array(rows * n);
  perm.forEach((src, j) => {
    for (let u = 0; u < H; u++) for (let i = 0; i < n; i++) out[i * rows + j * H + u] = w.data[(src * H + u) * n + i]!;
  });
  return { shape: [n, rows], data: out };
}

/** Keras `[n, G·H]` → PyTorch `[G·H, n]` (inverse of `toKerasMatrix`). */
export function fromKerasMatrix(k: NDArray, perm: readonly number[]): NDArray {
  const [n, cols] = k.shape as [number, number];
  const H = cols / perm.length;
  const out = new Float64Array(cols * n);
  perm.forEach((src, j) => {
    for (let u = 0; u < H; u++) for (let i = 0; i < n; i++) out[(src * H + u) * n + i] = k.data[i * cols + j * H + u]!;
  });
  return { shape: [cols, n], data: out };
}

/** Reorder the gate blocks of a vector: block j of the result is block perm[j] of `b`. */
export function permuteBlocks(b: ArrayLike<number>, perm: readonly number[]): Float64Array {
  const H = b.length / perm.length;
  const out = new Float64Array(b.length);
  perm.forEach((src, j) => {
    for (let u = 0; u < H; u++) out[j * H + u] = b[src * H + u]!;
  });
  return out;
}

/** The inverse permutation. */
export function inverse(perm: readonly number[]): number[] {
  const inv = new Array<number>(perm.length);
  perm.forEach((src, j) => (inv[src] = j));
  return inv;
}

/** Elementwise a + b. */
export function addArrays(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  return Float64Array.from(a, (v, i) => v + b[i]!);
}
