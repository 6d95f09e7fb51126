/**
 * Seeded random numbers (xoroshiro128+ from pure-rand): every random choice in cellgrad (initial
 * weights, test data, gradient-check directions) goes through this, so one seed reproduces a run.
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { allocate, type DType } from '../ir/dtype.js';
import { fail } from '../ir/errors.js';
import { sizeOf, type Shape } from '../ir/shape.js';
import type { NDArray } from '../ir/ndarray.js';

/** A seeded source of random numbers. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
}

/** A random generator seeded with `seed` (any safe integer; distinct seeds give distinct streams). */
export function createRng(seed: number): Rng {
  if (!Number.isSafeInteger(seed)) fail('usage', `seed must be an integer, got ${seed}`);
  const high = Math.floor(seed / 2 ** 32);
  const gen = xoroshiro128plus((seed | 0) ^ Math.imul(high, 0x9e3779b1));
  const next = () => uniformFloat64(gen);
  return {
    next,
    uniform: (lo, hi) => lo + (hi - lo) * next(),
    normal: () => {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    int: (n) => Math.floor(next() * n),
  };
}

/** An NDArray of `shape` with elements uniform in [lo, hi). */
export function randomUniform(rng: Rng, shape: Shape, lo = -1, hi = 1, dtype: DType = 'float64'): NDArray {
  const data = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.uniform(lo, hi);
  return { shape: [...shape], data };
}

/** An NDArray of `shape` with standard normal elements times `scale`. */
export function randomNormal(rng: Rng, shape: Shape, scale = 1, dtype: DType = 'float64'): NDArray {
  const data = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = rng.normal() * scale;
  return { shape: [...shape], data };
}
