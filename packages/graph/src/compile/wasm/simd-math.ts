/**
 * exp, sigmoid and tanh of four float32 lanes as WebAssembly SIMD instruction sequences, written
 * over caller-chosen locals so that the generated fused loops (`simd-loops.ts`) inline them. The
 * algorithms are Cephes's float32 ones: exp by 2^k·p(r) with a Cody–Waite reduction and a degree-6
 * polynomial (about 1 ulp; 2^k applied in two halves so underflow and overflow match float32;
 * sigmoid and tanh use a narrower, cheaper exp), sigmoid = 1/(1+e^−x), tanh by its odd polynomial
 * below |x| < 0.625 and by 1 − 2/(e^{2|x|}+1) above (sign restored), so small arguments keep their
 * relative precision.
 */
import { op, vop, type Ins } from './wasm-asm.js';

/** Four scratch v128 locals that a sequence may overwrite. */
export interface MathTemps {
  readonly t: number;
  readonly k: number;
  readonly r: number;
  readonly s: number;
}

/**
 * exp of local `src` into local `out` (`out` may equal `src`; uses temps t, k, r). With `narrow`
 * (inside sigmoid and tanh, where only "huge" or "tiny" matters out there) the argument is clamped
 * to [−87.3, 88] and 2^k is one normal exponent: five instructions fewer, no subnormal results.
 */
export function expIns(src: number, out: number, { t: T, k: K, r: R }: MathTemps, narrow = false): Ins[] {
  const [lo, hi] = narrow ? [-87.3, 88] : [-104, 89];
  const scale: Ins[] = narrow
    ? [op.get(K), vop.truncSatS, vop.i32(127), vop.i32x4Add, op.i32(23), vop.i32x4Shl, vop.mul, op.set(out)]
    : [
        // · 2^k1 · 2^k2 (k1 = k >> 1, k2 = k − k1, both normal exponents), built from exponent bits,
        // so results underflow gradually and overflow to +∞ exactly as float32 does
        op.get(K),
        vop.truncSatS,
        op.set(T),
        op.get(T),
        op.i32(1),
        vop.i32x4ShrS,
        op.set(K),
        op.get(K),
        vop.i32(127),
        vop.i32x4Add,
        op.i32(23),
        vop.i32x4Shl,
        vop.mul,
        op.get(T),
        op.get(K),
        vop.i32x4Sub,
        vop.i32(127),
        vop.i32x4Add,
        op.i32(23),
        vop.i32x4Shl,
        vop.mul,
        op.set(out),
      ];
  return [
    // x = clamp(src, lo, hi): below −104, float32 exp underflows to 0; above 89, it overflows to +∞
    // (pmax/pmin with x first: one instruction each, and a NaN x stays NaN)
    op.get(src),
    vop.f32(lo),
    vop.pmax,
    vop.f32(hi),
    vop.pmin,
    op.set(T),
    // k = nearest(x·log2 e)
    op.get(T),
    vop.f32(Math.LOG2E),
    vop.mul,
    vop.nearest,
    op.set(K),
    // r = x − k·C1 − k·C2
    op.get(T),
    op.get(K),
    vop.f32(0.693359375),
    vop.mul,
    vop.sub,
    op.get(K),
    vop.f32(-2.1219444e-4),
    vop.mul,
    vop.sub,
    op.set(R),
    // p = ((((c5 r + c4) r + c3) r + c2) r + c1) r + c0; y = p·r² + r + 1
    vop.f32(1.98756915e-4),
    op.get(R),
    vop.mul,
    vop.f32(1.3981999507e-3),
    vop.add,
    op.get(R),
    vop.mul,
    vop.f32(8.3334519073e-3),
    vop.add,
    op.get(R),
    vop.mul,
    vop.f32(4.1665795894e-2),
    vop.add,
    op.get(R),
    vop.mul,
    vop.f32(1.6666665459e-1),
    vop.add,
    op.get(R),
    vop.mul,
    vop.f32(5.0000001201e-1),
    vop.add,
    op.get(R),
    op.get(R),
    vop.mul,
    vop.mul,
    op.get(R),
    vop.add,
    vop.f32(1),
    vop.add,
    ...scale,
  ];
}

/** sigmoid of local `src` into local `out` (`out` may equal `src`; uses every temp). */
export function sigmoidIns(src: number, out: number, tmp: MathTemps): Ins[] {
  return [op.get(src), vop.neg, op.set(tmp.s), ...expIns(tmp.s, tmp.s, tmp, true), vop.f32(1), vop.f32(1), op.get(tmp.s), vop.add, vop.div, op.set(out)];
}

/** tanh of local `src` into local `out` (`out` must differ from `src`; uses every temp). */
export function tanhIns(src: number, out: number, tmp: MathTemps): Ins[] {
  const { s: S, t: T } = tmp;
  const X = src;
  return [
    // big: 1 − 2/(e^{2|x|} + 1), with the sign of x
    op.get(X),
    vop.abs,
    op.set(S),
    op.get(S),
    op.get(S),
    vop.add,
    op.set(S),
    ...expIns(S, S, tmp, true),
    vop.f32(1),
    vop.f32(2),
    op.get(S),
    vop.f32(1),
    vop.add,
    vop.div,
    vop.sub,
    op.get(X),
    vop.i32(-0x80000000),
    vop.and,
    vop.or,
    op.set(S),
    // small: x + x·z·P(z), z = x²
    op.get(X),
    op.get(X),
    vop.mul,
    op.set(T),
    vop.f32(-5.70498872745e-3),
    op.get(T),
    vop.mul,
    vop.f32(2.06390887954e-2),
    vop.add,
    op.get(T),
    vop.mul,
    vop.f32(-5.37397155531e-2),
    vop.add,
    op.get(T),
    vop.mul,
    vop.f32(1.33314422036e-1),
    vop.add,
    op.get(T),
    vop.mul,
    vop.f32(-3.33332819422e-1),
    vop.add,
    op.get(T),
    vop.mul,
    op.get(X),
    vop.mul,
    op.get(X),
    vop.add,
    // select small where |x| < 0.625
    op.get(S),
    op.get(X),
    vop.abs,
    vop.f32(0.625),
    vop.lt,
    vop.bitselect,
    op.set(out),
  ];
}
