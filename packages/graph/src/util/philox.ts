/**
 * Philox4x32-10, the counter-based generator of Salmon, Moraes, Dror & Shaw, "Parallel random
 * numbers: as easy as 1, 2, 3" (SC 2011): a 128-bit counter and a 64-bit key go through ten rounds
 * of two 32×32→64-bit multiplications and xors, giving four 32-bit words. It is stateless (the same
 * key and counter always give the same words), so any element of a random tensor can be computed
 * on its own, in any order, on any thread. Written from the published algorithm; checked against
 * the known-answer vectors of the Random123 distribution (test/graph/random-philox.test.ts).
 */

/** The round multipliers. */
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
/** The key schedule's Weyl increments (golden ratio and √3 − 1, as 32-bit fractions). */
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** Number of rounds of Philox4x32-10. */
export const PHILOX_ROUNDS = 10;

/** The high 32 bits of the 64-bit product of two unsigned 32-bit integers (16-bit limbs, integer arithmetic only). */
export function mulHi32(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const hiLo = Math.imul(aHi, bLo) >>> 0;
  const loHi = Math.imul(aLo, bHi) >>> 0;
  // The carry out of the low 32 bits: the middle limbs' low halves plus the high half of aLo·bLo.
  const carry = ((Math.imul(aLo, bLo) >>> 16) + (hiLo & 0xffff) + (loHi & 0xffff)) >>> 16;
  return (Math.imul(aHi, bHi) + (hiLo >>> 16) + (loHi >>> 16) + carry) >>> 0;
}

/**
 * Philox4x32 with `rounds` rounds (10 for Philox4x32-10) of counter `ctr` (four unsigned 32-bit
 * words) under key `key` (two words), written into `out` (four words).
 * @example
 * const out = new Uint32Array(4);
 * philox4x32([0, 0, 0, 0], [0, 0], out); // out = 6627e8d5 e169c58d bc57ac4c 9b00dbd8
 */
export function philox4x32(ctr: ArrayLike<number>, key: ArrayLike<number>, out: Uint32Array, rounds = PHILOX_ROUNDS): Uint32Array {
  let c0 = ctr[0]! >>> 0;
  let c1 = ctr[1]! >>> 0;
  let c2 = ctr[2]! >>> 0;
  let c3 = ctr[3]! >>> 0;
  let k0 = key[0]! >>> 0;
  let k1 = key[1]! >>> 0;
  for (let r = 0; r < rounds; r++) {
    if (r > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const hi0 = mulHi32(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulHi32(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
  return out;
}

/** 2⁻²⁴: the spacing of the uniform values (exactly representable in float32 and float64). */
const UNIFORM_STEP = 2 ** -24;

/**
 * A 32-bit word as a uniform value in [0, 1): its top 24 bits times 2⁻²⁴. Every such value is exact
 * in float32 and float64, so a random tensor is identical in both dtypes.
 */
export function uniformFromWord(word: number): number {
  return (word >>> 8) * UNIFORM_STEP;
}
