/**
 * Vectorised exp, sigmoid and tanh for float32 plans, in WebAssembly SIMD (four lanes), emitted by
 * the tiny assembler. They run over a 2-D block (rows × cols, cols a multiple of 4, unit inner
 * stride, any row stride), so a gate sliced out of a wider matrix is read in place. The algorithms
 * are Cephes's float32 ones: exp by 2^k·p(r) with a Cody–Waite reduction and a degree-6 polynomial
 * (about 1 ulp; 2^k applied in two halves so underflow and overflow match float32), sigmoid = 1/(1+e^−x), tanh by its odd polynomial below |x| < 0.625 and by
 * 1 − 2/(e^{2|x|}+1) above (sign restored), so small arguments keep their relative precision.
 */
import { assemble, I32, op, V128, vop, type Ins } from './wasm-asm.js';

// Parameters: dst, src (byte addresses), rows, cols, srcStride, dstStride (bytes).
const [DST, SRC, ROWS, COLS, SSTRIDE, DSTRIDE] = [0, 1, 2, 3, 4, 5];
// Locals: i32 ps, pd, c; v128 x, y, k, r, t, s.
const [PS, PD, C] = [6, 7, 8];
const [X, Y, K, R, T, S] = [9, 10, 11, 12, 13, 14];

/** exp of local `src` into local `out` (uses locals T, K, R). */
function exp(src: number, out: number): Ins[] {
  return [
    // x = clamp(src, −104, 89): below, float32 exp underflows to 0; above, it overflows to +∞
    op.get(src), vop.f32(-104), vop.max, vop.f32(89), vop.min, op.set(T),
    // k = nearest(x·log2 e)
    op.get(T), vop.f32(1.44269504088896341), vop.mul, vop.nearest, op.set(K),
    // r = x − k·C1 − k·C2
    op.get(T), op.get(K), vop.f32(0.693359375), vop.mul, vop.sub, op.get(K), vop.f32(-2.12194440e-4), vop.mul, vop.sub, op.set(R),
    // p = ((((c5 r + c4) r + c3) r + c2) r + c1) r + c0; y = p·r² + r + 1
    vop.f32(1.9875691500e-4), op.get(R), vop.mul, vop.f32(1.3981999507e-3), vop.add,
    op.get(R), vop.mul, vop.f32(8.3334519073e-3), vop.add,
    op.get(R), vop.mul, vop.f32(4.1665795894e-2), vop.add,
    op.get(R), vop.mul, vop.f32(1.6666665459e-1), vop.add,
    op.get(R), vop.mul, vop.f32(5.0000001201e-1), vop.add,
    op.get(R), op.get(R), vop.mul, vop.mul, op.get(R), vop.add, vop.f32(1), vop.add,
    // · 2^k1 · 2^k2 (k1 = k >> 1, k2 = k − k1, both normal exponents), built from exponent bits,
    // so results underflow gradually and overflow to +∞ exactly as float32 does
    op.get(K), vop.truncSatS, op.set(T),
    op.get(T), op.i32(1), vop.i32x4ShrS, op.set(K),
    op.get(K), vop.i32(127), vop.i32x4Add, op.i32(23), vop.i32x4Shl, vop.mul,
    op.get(T), op.get(K), vop.i32x4Sub, vop.i32(127), vop.i32x4Add, op.i32(23), vop.i32x4Shl, vop.mul, op.set(out),
  ];
}

const BODIES: Readonly<Record<string, Ins[]>> = {
  exp: exp(X, Y),
  sigmoid: [op.get(X), vop.neg, op.set(S), ...exp(S, S), vop.f32(1), vop.f32(1), op.get(S), vop.add, vop.div, op.set(Y)],
  tanh: [
    // big: 1 − 2/(e^{2|x|} + 1), with the sign of x
    op.get(X), vop.abs, op.set(S), op.get(S), op.get(S), vop.add, op.set(S), ...exp(S, S),
    vop.f32(1), vop.f32(2), op.get(S), vop.f32(1), vop.add, vop.div, vop.sub,
    op.get(X), vop.i32(-0x80000000), vop.and, vop.or, op.set(S),
    // small: x + x·z·P(z), z = x²
    op.get(X), op.get(X), vop.mul, op.set(T),
    vop.f32(-5.70498872745e-3), op.get(T), vop.mul, vop.f32(2.06390887954e-2), vop.add,
    op.get(T), vop.mul, vop.f32(-5.37397155531e-2), vop.add,
    op.get(T), vop.mul, vop.f32(1.33314422036e-1), vop.add,
    op.get(T), vop.mul, vop.f32(-3.33332819422e-1), vop.add,
    op.get(T), vop.mul, op.get(X), vop.mul, op.get(X), vop.add,
    // select small where |x| < 0.625
    op.get(S), op.get(X), vop.abs, vop.f32(0.625), vop.lt, vop.bitselect, op.set(Y),
  ],
};

function loopBody(body: Ins[]): Ins[] {
  return [
    op.loop,
    op.get(SRC), op.set(PS), op.get(DST), op.set(PD), op.get(COLS), op.set(C),
    op.loop,
    op.get(PS), op.v128Load(0), op.set(X),
    ...body,
    op.get(PD), op.get(Y), op.v128Store(0),
    op.get(PS), op.i32(16), op.add, op.set(PS),
    op.get(PD), op.i32(16), op.add, op.set(PD),
    op.get(C), op.i32(4), op.sub, op.tee(C), op.brIf(0),
    op.end,
    op.get(SRC), op.get(SSTRIDE), op.add, op.set(SRC),
    op.get(DST), op.get(DSTRIDE), op.add, op.set(DST),
    op.get(ROWS), op.i32(1), op.sub, op.tee(ROWS), op.brIf(0),
    op.end,
  ];
}

/** The ops this module vectorises. */
export const VECTOR_OPS: ReadonlySet<string> = new Set(Object.keys(BODIES));

/** The module's bytes: one exported function per op, `(dst, src, rows, cols, srcStride, dstStride)`. */
export function vecmathBytes(): Uint8Array {
  return assemble(Object.entries(BODIES).map(([name, body]) => ({
    name, params: 6, locals: [I32, I32, I32, V128, V128, V128, V128, V128, V128], body: loopBody(body),
  })));
}
