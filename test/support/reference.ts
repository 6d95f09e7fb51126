/**
 * A deliberately naive tensor reference for checking kernels: every op is written with explicit
 * coordinates (unravel, compute, ravel), sharing no code with the interpreter's kernels.
 */

/** A tensor value: shape and row-major data. */
export interface Ref {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export const size = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

/** The coordinate of flat index `i` in `shape`. */
export function unravel(i: number, shape: readonly number[]): number[] {
  const coord = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    coord[d] = i % shape[d]!;
    i = Math.floor(i / shape[d]!);
  }
  return coord;
}

/** The flat index of a coordinate in `shape`. */
export function ravel(coord: readonly number[], shape: readonly number[]): number {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d]! + coord[d]!;
  return i;
}

/** numpy broadcast of shapes, or undefined. */
export function broadcastShape(shapes: readonly (readonly number[])[]): number[] | undefined {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let d = 0; d < rank; d++) {
    let dim = 1;
    for (const s of shapes) {
      const k = d - (rank - s.length);
      if (k < 0) continue;
      const v = s[k]!;
      if (v === dim || v === 1) continue;
      if (dim !== 1) return undefined;
      dim = v;
    }
    out.push(dim);
  }
  return out;
}

/** The element of `x` that coordinate `coord` of a broadcast result reads. */
function at(x: Ref, coord: readonly number[]): number {
  const lead = coord.length - x.shape.length;
  return x.data[
    ravel(
      x.shape.map((d, k) => (d === 1 ? 0 : coord[k + lead]!)),
      x.shape,
    )
  ]!;
}

export function elementwise(fn: (...xs: number[]) => number, ...xs: Ref[]): Ref {
  const shape = broadcastShape(xs.map((x) => x.shape))!;
  return {
    shape,
    data: Array.from({ length: size(shape) }, (_, i) => {
      const c = unravel(i, shape);
      return fn(...xs.map((x) => at(x, c)));
    }),
  };
}

export function reduce(
  x: Ref,
  axes: readonly number[],
  keepDims: boolean,
  init: number,
  combine: (a: number, b: number) => number,
  finish = (a: number, _n: number) => a,
): Ref {
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const acc = new Array<number>(size(kept)).fill(init);
  for (let i = 0; i < size(x.shape); i++) {
    const c = unravel(i, x.shape).map((v, d) => (axes.includes(d) ? 0 : v));
    const j = ravel(c, kept);
    acc[j] = combine(acc[j]!, x.data[i]!);
  }
  const n = axes.reduce((a, d) => a * x.shape[d]!, 1);
  return { shape: keepDims ? kept : x.shape.filter((_, i) => !axes.includes(i)), data: acc.map((a) => finish(a, n)) };
}

export function transpose(x: Ref, perm: readonly number[]): Ref {
  const shape = perm.map((p) => x.shape[p]!);
  return {
    shape,
    data: Array.from({ length: size(shape) }, (_, i) => {
      const o = unravel(i, shape);
      const src = new Array<number>(perm.length);
      perm.forEach((p, d) => (src[p] = o[d]!));
      return x.data[ravel(src, x.shape)]!;
    }),
  };
}

export function matmul(a: Ref, b: Ref): Ref {
  const [m, k] = a.shape.slice(-2) as [number, number];
  const n = b.shape[b.shape.length - 1]!;
  const batch = broadcastShape([a.shape.slice(0, -2), b.shape.slice(0, -2)])!;
  const shape = [...batch, m, n];
  return {
    shape,
    data: Array.from({ length: size(shape) }, (_, idx) => {
      const c = unravel(idx, shape);
      const bc = c.slice(0, -2);
      const [i, j] = c.slice(-2) as [number, number];
      let s = 0;
      for (let q = 0; q < k; q++) {
        const aBatch = a.shape.slice(0, -2);
        const bBatch = b.shape.slice(0, -2);
        const ac = [...aBatch.map((d, t) => (d === 1 ? 0 : bc[t + bc.length - aBatch.length]!)), i, q];
        const bcc = [...bBatch.map((d, t) => (d === 1 ? 0 : bc[t + bc.length - bBatch.length]!)), q, j];
        s += a.data[ravel(ac, a.shape)]! * b.data[ravel(bcc, b.shape)]!;
      }
      return s;
    }),
  };
}

export function concat(xs: readonly Ref[], axis: number): Ref {
  const shape = [...xs[0]!.shape];
  shape[axis] = xs.reduce((a, x) => a + x.shape[axis]!, 0);
  return {
    shape,
    data: Array.from({ length: size(shape) }, (_, i) => {
      const c = unravel(i, shape);
      let k = c[axis]!;
      for (const x of xs) {
        if (k < x.shape[axis]!)
          return x.data[
            ravel(
              c.map((v, d) => (d === axis ? k : v)),
              x.shape,
            )
          ]!;
        k -= x.shape[axis]!;
      }
      throw new Error('unreachable');
    }),
  };
}

export function slice(x: Ref, axis: number, start: number, end: number): Ref {
  const shape = x.shape.map((d, i) => (i === axis ? end - start : d));
  return {
    shape,
    data: Array.from(
      { length: size(shape) },
      (_, i) =>
        x.data[
          ravel(
            unravel(i, shape).map((v, d) => (d === axis ? v + start : v)),
            x.shape,
          )
        ]!,
    ),
  };
}

export function pad(x: Ref, axis: number, before: number, after: number): Ref {
  const shape = x.shape.map((d, i) => (i === axis ? d + before + after : d));
  return {
    shape,
    data: Array.from({ length: size(shape) }, (_, i) => {
      const c = unravel(i, shape);
      const k = c[axis]! - before;
      return k < 0 || k >= x.shape[axis]!
        ? 0
        : x.data[
            ravel(
              c.map((v, d) => (d === axis ? k : v)),
              x.shape,
            )
          ]!;
    }),
  };
}

/** softmax / log-softmax along `axis`, the textbook way with the max subtracted. */
export function softmax(x: Ref, axis: number, log: boolean): Ref {
  const m = reduce(x, [axis], true, -Infinity, Math.max);
  const shifted = elementwise((a, b) => a - b, x, m);
  const z = reduce(elementwise(Math.exp, shifted), [axis], true, 0, (a, b) => a + b);
  return log ? elementwise((s, zz) => s - Math.log(zz), shifted, z) : elementwise((s, zz) => Math.exp(s) / zz, shifted, z);
}
