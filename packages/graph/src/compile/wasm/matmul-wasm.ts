/**
 * Float32 matrix product in WebAssembly SIMD, generated at run time by the tiny assembler (no
 * build step, nothing to download). The plan's arena lives in the module's memory, so operands are
 * read in place. The kernel computes full 4×8 tiles of C: eight f32x4 accumulators stay in
 * registers while the k loop broadcasts four elements of A and loads two vectors of B. Panels of
 * 4 rows are the outer loop (a 4×k strip of A stays in L1 across column panels), and `gemm`
 * blocks k and columns so that the block of B in use fits in L2; a row-major B of a long product is
 * first copied block by block into panels of 8 columns (a pass of `pack`), and a transposed A whose
 * k steps are kilobytes apart is copied strip by strip (4 rows × k) before its tiles. The ragged
 * edges (rows past the last multiple of 4, columns past the last multiple of 8) are left to the
 * caller (`wasm-kernels.ts` runs them in JavaScript). Products accumulate in float32 (the interpreter sums in float64), hence the float32 tolerance.
 * Measured here (Zen 4, V8 11.3): the 4×8 tile runs at the multiply/add throughput of 128-bit
 * vectors (~58 GFLOP/s); relaxed-SIMD fused multiply-add, 5×8 and 6×8 tiles were no faster.
 */
import { fail } from '../../ir/errors.js';
import { assemble, I32, op, V128, wasmApi, type Ins, type WasmFunction } from './wasm-asm.js';
import { registerLowerings } from '../../ops/lowerings.js';

registerLowerings('simd', 'compile/wasm/matmul-wasm.ts', ['matmul']);

// Parameters (i32): byte addresses and byte strides, counts, whether to add to C, the byte step
// of B per column index (4 for a row-major B; k·4 for B packed in panels of 8 columns), and where
// to copy each 4-row strip of A first (0: read A in place; used when A is a transposed view whose
// columns lie far apart: rows 4 bytes apart, k steps of kilobytes).
const [C, A, RSA, CSA, B, RSB, MR_END, K, N8, LDC, ACCUM, JS, PACKA] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
const PARAMS = 13;
// Locals: i32 i, j, q, pa, pb, pc, the strip's base and k step, two copy pointers, then one i32 per
// row offset r·rsA (r ≥ 2); v128 accumulators (two per row), x, b0, b1.
const [I, J, Q, PA, PB, PC, ABASE, ACS, PS, PD] = [13, 14, 15, 16, 17, 18, 19, 20, 21, 22];
const FIXED_I32 = 10;

/** Local indices of a kernel with `mr` rows per tile. */
function layout(mr: number) {
  const rowOffset = (r: number) => PARAMS + FIXED_I32 + r - 2;
  const firstV = PARAMS + FIXED_I32 + Math.max(0, mr - 2);
  const acc = Array.from({ length: 2 * mr }, (_, i) => firstV + i);
  const x = firstV + 2 * mr;
  return { rowOffset, acc, x, b0: x + 1, b1: x + 2, i32Locals: FIXED_I32 + Math.max(0, mr - 2), v128Locals: 2 * mr + 3 };
}

/** C[i..i+mr, j..j+8] (+)= A·B over k, for every mr-row strip (outer) and 8-column panel (inner). */
function kernelBody(mr: number): Ins[] {
  const L = layout(mr);
  const rowAddr = (r: number): Ins[] => (r === 0 ? [op.get(PA)] : r === 1 ? [op.get(PA), op.get(RSA), op.add] : [op.get(PA), op.get(L.rowOffset(r)), op.add]);
  /** acc[2r] += x·b0; acc[2r+1] += x·b1, with x = A[row r] broadcast. */
  const update = (acc: number, b: number): Ins[] => [op.get(acc), op.get(L.x), op.get(b), op.f32x4Mul, op.f32x4Add, op.set(acc)];
  const row = (r: number): Ins[] => [...rowAddr(r), op.load32Splat(), op.set(L.x), ...update(L.acc[2 * r]!, L.b0), ...update(L.acc[2 * r + 1]!, L.b1)];
  const tile = (f: (r: number, half: number) => Ins[]): Ins[] => {
    const out: Ins[] = [];
    for (let r = 0; r < mr; r++) {
      out.push(...f(r, 0), ...f(r, 1));
      out.push(op.get(PC), op.get(LDC), op.add, op.set(PC));
    }
    return out;
  };
  const pcStart = [op.get(C), op.get(I), op.get(LDC), op.mul, op.add, op.get(J), op.i32(4), op.mul, op.add, op.set(PC)];
  const rows: Ins[] = [];
  for (let r = 0; r < mr; r++) rows.push(...row(r));
  return [
    ...Array.from({ length: Math.max(0, mr - 2) }, (_, i) => [op.get(RSA), op.i32(i + 2), op.mul, op.set(L.rowOffset(i + 2))]).flat(),
    op.i32(0),
    op.set(I),
    op.loop,
    // the strip's A: copied to PACKA as [k][4] (16 bytes per k), or read in place
    op.get(PACKA),
    op.if,
    op.get(A),
    op.get(I),
    op.get(RSA),
    op.mul,
    op.add,
    op.set(PS),
    op.get(PACKA),
    op.set(PD),
    op.get(K),
    op.set(Q),
    op.loop,
    op.get(PD),
    op.get(PS),
    op.v128Load(0),
    op.v128Store(0),
    op.get(PD),
    op.i32(16),
    op.add,
    op.set(PD),
    op.get(PS),
    op.get(CSA),
    op.add,
    op.set(PS),
    op.get(Q),
    op.i32(1),
    op.sub,
    op.tee(Q),
    op.brIf(0),
    op.end,
    op.get(PACKA),
    op.set(ABASE),
    op.i32(16),
    op.set(ACS),
    op.else,
    op.get(A),
    op.get(I),
    op.get(RSA),
    op.mul,
    op.add,
    op.set(ABASE),
    op.get(CSA),
    op.set(ACS),
    op.end,
    op.i32(0),
    op.set(J),
    op.loop,
    ...pcStart,
    op.get(ACCUM),
    op.if,
    ...tile((r, h) => [op.get(PC), op.v128Load(16 * h), op.set(L.acc[2 * r + h]!)]),
    op.else,
    ...L.acc.flatMap((acc) => [op.v128Zero, op.set(acc)]),
    op.end,
    op.get(ABASE),
    op.set(PA),
    op.get(B),
    op.get(J),
    op.get(JS),
    op.mul,
    op.add,
    op.set(PB),
    op.get(K),
    op.set(Q),
    op.loop,
    op.get(PB),
    op.v128Load(0),
    op.set(L.b0),
    op.get(PB),
    op.v128Load(16),
    op.set(L.b1),
    ...rows,
    op.get(PA),
    op.get(ACS),
    op.add,
    op.set(PA),
    op.get(PB),
    op.get(RSB),
    op.add,
    op.set(PB),
    op.get(Q),
    op.i32(1),
    op.sub,
    op.tee(Q),
    op.brIf(0),
    op.end,
    ...pcStart,
    ...tile((r, h) => [op.get(PC), op.get(L.acc[2 * r + h]!), op.v128Store(16 * h)]),
    op.get(J),
    op.i32(8),
    op.add,
    op.tee(J),
    op.get(N8),
    op.ltU,
    op.brIf(0),
    op.end,
    op.get(I),
    op.i32(mr),
    op.add,
    op.tee(I),
    op.get(MR_END),
    op.ltU,
    op.brIf(0),
    op.end,
  ];
}

/** The kernel function of a module, with tiles of `mr` rows × 8 columns. */
function kernelFunction(mr: number, name = 'mm'): WasmFunction {
  const L = layout(mr);
  if (mr !== 4) throw new Error('kernelFunction: the strip copy of A moves 4 rows (16 bytes) per k');
  return { name, params: PARAMS, locals: [...new Array<number>(L.i32Locals).fill(I32), ...new Array<number>(L.v128Locals).fill(V128)], body: kernelBody(mr) };
}

/**
 * Copies a kc×nc block of a row-major B (nc a multiple of 8) into panels of 8 columns
 * ([panel][kc][8]) at `dst`: pack(dst, src, rowStrideBytes, kc, nc).
 */
function packBody(): Ins[] {
  const [DST, SRC, RS, KC_, NC_, JJ, QQ, PS] = [0, 1, 2, 3, 4, 5, 6, 7];
  return [
    op.i32(0),
    op.set(JJ),
    op.loop,
    op.get(SRC),
    op.get(JJ),
    op.i32(4),
    op.mul,
    op.add,
    op.set(PS),
    op.get(KC_),
    op.set(QQ),
    op.loop,
    op.get(DST),
    op.get(PS),
    op.v128Load(0),
    op.v128Store(0),
    op.get(DST),
    op.get(PS),
    op.v128Load(16),
    op.v128Store(16),
    op.get(DST),
    op.i32(32),
    op.add,
    op.set(DST),
    op.get(PS),
    op.get(RS),
    op.add,
    op.set(PS),
    op.get(QQ),
    op.i32(1),
    op.sub,
    op.tee(QQ),
    op.brIf(0),
    op.end,
    op.get(JJ),
    op.i32(8),
    op.add,
    op.tee(JJ),
    op.get(NC_),
    op.ltU,
    op.brIf(0),
    op.end,
  ];
}

/** Cache blocking: a KC×NC block of B (256 KB) stays in L2 while every row strip of A passes. */
const KC = 256;
const NC = 256;
/** Floats of scratch space per thread: one packed block of B (`SCRATCH_B`), then one 4-row strip of A. */
export const SCRATCH_B = KC * NC;
export const SCRATCH = SCRATCH_B + 4 * KC;
/** How gemm reads B: as it lies (row-major), packed block by block into scratch, or packed already. */
export const BMode = { RowMajor: 0, PackHere: 1, Packed: 2 } as const;

/**
 * gemm(c, a, rsA, csA, b, rsB, m4, k, n8, ldc, mode, scratch, packA): the cache-blocked product over k
 * blocks (outer) and column blocks (inner), calling `pack` and `mm` (functions 1 and 0). Byte
 * addresses and strides; for a packed B, `b` is the panel of column 0 (k·32 bytes per 8 columns).
 */
function gemmBody(): Ins[] {
  const [C_, A_, RSA_, CSA_, B_, RSB_, M4_, K_, N8_, LDC_, MODE, SCR, PACKA_] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const [K0, KCL, J0, NCL, AP, CP, ACC_] = [13, 14, 15, 16, 17, 18, 19];
  const min = (limit: number, rest: Ins[]): Ins[] => [op.i32(limit), ...rest, ...rest, op.i32(limit), op.gtU, op.select];
  const mmCall = (b: Ins[], rsb: Ins[], js: Ins[]): Ins[] => [
    op.get(CP),
    op.get(AP),
    op.get(RSA_),
    op.get(CSA_),
    ...b,
    ...rsb,
    op.get(M4_),
    op.get(KCL),
    op.get(NCL),
    op.get(LDC_),
    op.get(ACC_),
    ...js,
    op.get(PACKA_),
    op.call(0),
  ];
  const rowMajorB = [op.get(B_), op.get(K0), op.get(RSB_), op.mul, op.add, op.get(J0), op.i32(4), op.mul, op.add];
  return [
    op.i32(0),
    op.set(K0),
    op.loop,
    ...min(KC, [op.get(K_), op.get(K0), op.sub]),
    op.set(KCL),
    op.get(A_),
    op.get(K0),
    op.get(CSA_),
    op.mul,
    op.add,
    op.set(AP),
    op.get(K0),
    op.i32(0),
    op.ne,
    op.set(ACC_),
    op.i32(0),
    op.set(J0),
    op.loop,
    ...min(NC, [op.get(N8_), op.get(J0), op.sub]),
    op.set(NCL),
    op.get(C_),
    op.get(J0),
    op.i32(4),
    op.mul,
    op.add,
    op.set(CP),
    op.get(MODE),
    op.i32(BMode.Packed),
    op.eq,
    op.if,
    ...mmCall(
      [op.get(B_), op.get(J0), op.get(K_), op.mul, op.i32(4), op.mul, op.add, op.get(K0), op.i32(32), op.mul, op.add],
      [op.i32(32)],
      [op.get(K_), op.i32(4), op.mul],
    ),
    op.else,
    op.get(MODE),
    op.i32(BMode.PackHere),
    op.eq,
    op.if,
    op.get(SCR),
    ...rowMajorB,
    op.get(RSB_),
    op.get(KCL),
    op.get(NCL),
    op.call(1),
    ...mmCall([op.get(SCR)], [op.i32(32)], [op.get(KCL), op.i32(4), op.mul]),
    op.else,
    ...mmCall(rowMajorB, [op.get(RSB_)], [op.i32(4)]),
    op.end,
    op.end,
    op.get(J0),
    op.i32(NC),
    op.add,
    op.tee(J0),
    op.get(N8_),
    op.ltU,
    op.brIf(0),
    op.end,
    op.get(K0),
    op.i32(KC),
    op.add,
    op.tee(K0),
    op.get(K_),
    op.ltU,
    op.brIf(0),
    op.end,
  ];
}

const modules = new Map<boolean, object>();

/** The kernel module (assembled and compiled once per process; `shared` for threaded plans). */
export function matmulModule(shared = false): object {
  if (!wasmApi) fail('usage', 'compile: this JavaScript engine has no WebAssembly');
  let m = modules.get(shared);
  if (!m) {
    m = new wasmApi.Module(
      assemble(
        [
          kernelFunction(4),
          { name: 'pack', params: 5, locals: [I32, I32, I32], body: packBody() },
          { name: 'gemm', params: 13, locals: new Array<number>(7).fill(I32), body: gemmBody() },
        ],
        { shared },
      ),
    );
    modules.set(shared, m);
  }
  return m;
}

/** True when this JavaScript engine runs WebAssembly SIMD. */
export function wasmSimdAvailable(): boolean {
  try {
    matmulModule();
    return true;
  } catch {
    return false;
  }
}
