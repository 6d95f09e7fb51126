/**
 * Random keys as graph data. A key is a tensor of shape [4]: the 64-bit Philox key as four 16-bit
 * halves (low half of word 0, high half of word 0, low half of word 1, high half of word 1), each an
 * integer in [0, 65535], so it is exact in float32 as well as float64 and survives `castGraph`.
 * `randomKey(seed)` makes one; `keyInputNames(g)` lists the graph inputs used as keys (they carry
 * no gradient and are skipped by `gradcheck` and given keys by the feed generators).
 */
import { allocate, type DType } from '../ir/dtype.js';
import { CellgradError, fail } from '../ir/errors.js';
import type { Graph } from '../ir/node.js';
import type { NDArray } from '../ir/ndarray.js';

/** The shape of a random key. */
export const KEY_SHAPE: readonly number[] = Object.freeze([4]);

/** Ops that take a random key as their first input. */
export const KEYED_OPS: ReadonlySet<string> = new Set(['random_uniform']);

/**
 * The key tensor for `seed` (any safe integer; distinct seeds give distinct keys): the seed's 64-bit
 * two's-complement pattern as four 16-bit halves.
 * @example
 * interpret(g, { ...feeds, key: randomKey(42) })
 */
export function randomKey(seed: number, dtype: DType = 'float64'): NDArray {
  if (!Number.isSafeInteger(seed)) fail('usage', `randomKey: the seed must be a safe integer, got ${JSON.stringify(seed)}`);
  const bits = BigInt.asUintN(64, BigInt(seed));
  const data = allocate(dtype, 4);
  for (let i = 0; i < 4; i++) data[i] = Number((bits >> BigInt(16 * i)) & 0xffffn);
  return { shape: [4], data };
}

/**
 * The two 32-bit key words of key data `key` (four 16-bit halves); a feed error naming `where`
 * when an element is not an integer in [0, 65535].
 */
export function keyWords(key: ArrayLike<number>, where: string): [number, number] {
  for (let i = 0; i < 4; i++) {
    const v = key[i]!;
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) {
      throw new CellgradError('feed', `${where}: key element ${i} is ${v}; a random key is 4 integers in [0, 65535] (make one with randomKey(seed))`);
    }
  }
  return [(key[0]! + key[1]! * 0x10000) >>> 0, (key[2]! + key[3]! * 0x10000) >>> 0];
}

/**
 * Names of the inputs of `g` that some random op uses as its key (in input order).
 * @example
 * keyInputNames(unroll(lstm, { ...sizes, regularize: { dropout: 0.5 } })) // ['key']
 */
export function keyInputNames(g: Graph): string[] {
  const keyIds = new Set<number>();
  for (const n of g.nodes) if (KEYED_OPS.has(n.op)) keyIds.add(n.inputs[0]!);
  return g.inputs.filter((p) => keyIds.has(p.id)).map((p) => p.name);
}
