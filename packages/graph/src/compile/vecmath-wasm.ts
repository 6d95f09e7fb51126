/**
 * Vectorised exp, sigmoid and tanh for float32 plans, in WebAssembly SIMD (four lanes), emitted by
 * the tiny assembler. They run over a 2-D block (rows × cols, cols a multiple of 4, unit inner
 * stride, any row stride), so a gate sliced out of a wider matrix is read in place. The math is
 * `simd-math.ts`'s.
 */
import { assemble, I32, op, V128, type Ins } from './wasm-asm.js';
import { expIns, sigmoidIns, tanhIns } from './simd-math.js';

// Parameters: dst, src (byte addresses), rows, cols, srcStride, dstStride (bytes).
const [DST, SRC, ROWS, COLS, SSTRIDE, DSTRIDE] = [0, 1, 2, 3, 4, 5];
// Locals: i32 ps, pd, c; v128 x, y, k, r, t, s.
const [PS, PD, C] = [6, 7, 8];
const [X, Y, K, R, T, S] = [9, 10, 11, 12, 13, 14];

const TEMPS = { t: T, k: K, r: R, s: S };

const BODIES: Readonly<Record<string, Ins[]>> = {
  exp: expIns(X, Y, TEMPS),
  sigmoid: sigmoidIns(X, Y, TEMPS),
  tanh: tanhIns(X, Y, TEMPS),
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
export function vecmathBytes(shared = false): Uint8Array {
  return assemble(Object.entries(BODIES).map(([name, body]) => ({
    name, params: 6, locals: [I32, I32, I32, V128, V128, V128, V128, V128, V128], body: loopBody(body),
  })), { shared });
}
