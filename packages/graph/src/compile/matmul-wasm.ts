/**
 * Float32 matrix product in WebAssembly SIMD, generated at run time by the tiny assembler (no
 * build step, nothing to download). The plan's arena lives in the module's memory, so operands are
 * read in place. The kernel computes full 4×8 tiles of C: eight f32x4 accumulators stay in
 * registers while the k loop broadcasts four elements of A and loads two vectors of B. Panels of
 * 4 rows are the outer loop (a 4×k strip of A stays in L1 across column panels), and the caller
 * blocks k and columns so that the block of B in use fits in L2. The ragged
 * edges (rows past the last multiple of 4, columns past the last multiple of 8) run in JavaScript.
 * Products accumulate in float32 (the interpreter sums in float64), hence the float32 tolerance.
 */
import { fail } from '../ir/errors.js';
import type { DType } from '../ir/dtype.js';
import type { MatmulBackend, UnaryKernel } from './backend.js';
import { vecmathBytes, VECTOR_OPS } from './vecmath-wasm.js';
import { matmulJs, type MatmulArgs } from './matmul-js.js';
import { assemble, I32, op, V128, wasmApi, type Ins } from './wasm-asm.js';

// Parameters (i32): byte addresses and byte strides, counts, whether to add to C, and the byte step
// of B per column index (4 for a row-major B; k·4 for B packed in panels of 8 columns).
const [C, A, RSA, CSA, B, RSB, M4, K, N8, LDC, ACCUM, JS] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
// Locals: i32 i, j, q, pa, pb, pc, rs2, rs3; v128 acc0..acc7, x, b0, b1.
const [I, J, Q, PA, PB, PC, RS2, RS3] = [12, 13, 14, 15, 16, 17, 18, 19];
const ACC = [20, 21, 22, 23, 24, 25, 26, 27];
const [X, B0, B1] = [28, 29, 30];

/** acc[2r] += x·b0; acc[2r+1] += x·b1, with x = A[row r] broadcast. */
function row(r: number, addr: Ins[]): Ins[] {
  return [
    ...addr, op.load32Splat(), op.set(X),
    op.get(ACC[2 * r]!), op.get(X), op.get(B0), op.f32x4Mul, op.f32x4Add, op.set(ACC[2 * r]!),
    op.get(ACC[2 * r + 1]!), op.get(X), op.get(B1), op.f32x4Mul, op.f32x4Add, op.set(ACC[2 * r + 1]!),
  ];
}

/** C[i..i+4, j..j+8] (+)= A·B over k, for every 4-row strip (outer) and 8-column panel (inner). */
function kernelBody(): Ins[] {
  const rowAddr: Ins[][] = [[op.get(PA)], [op.get(PA), op.get(RSA), op.add], [op.get(PA), op.get(RS2), op.add], [op.get(PA), op.get(RS3), op.add]];
  const tile = (f: (r: number, half: number) => Ins[]): Ins[] => {
    const out: Ins[] = [];
    for (let r = 0; r < 4; r++) {
      out.push(...f(r, 0), ...f(r, 1));
      out.push(op.get(PC), op.get(LDC), op.add, op.set(PC));
    }
    return out;
  };
  const pcStart = [op.get(C), op.get(I), op.get(LDC), op.mul, op.add, op.get(J), op.i32(4), op.mul, op.add, op.set(PC)];
  return [
    op.get(RSA), op.i32(2), op.mul, op.set(RS2),
    op.get(RSA), op.i32(3), op.mul, op.set(RS3),
    op.i32(0), op.set(I),
    op.loop,
    op.i32(0), op.set(J),
    op.loop,
    ...pcStart,
    op.get(ACCUM), op.if,
    ...tile((r, h) => [op.get(PC), op.v128Load(16 * h), op.set(ACC[2 * r + h]!)]),
    op.else,
    ...ACC.flatMap((acc) => [op.v128Zero, op.set(acc)]),
    op.end,
    op.get(A), op.get(I), op.get(RSA), op.mul, op.add, op.set(PA),
    op.get(B), op.get(J), op.get(JS), op.mul, op.add, op.set(PB),
    op.get(K), op.set(Q),
    op.loop,
    op.get(PB), op.v128Load(0), op.set(B0),
    op.get(PB), op.v128Load(16), op.set(B1),
    ...rowAddr.flatMap((addr, r) => row(r, addr)),
    op.get(PA), op.get(CSA), op.add, op.set(PA),
    op.get(PB), op.get(RSB), op.add, op.set(PB),
    op.get(Q), op.i32(1), op.sub, op.tee(Q), op.brIf(0),
    op.end,
    ...pcStart,
    ...tile((r, h) => [op.get(PC), op.get(ACC[2 * r + h]!), op.v128Store(16 * h)]),
    op.get(J), op.i32(8), op.add, op.tee(J), op.get(N8), op.ltU, op.brIf(0),
    op.end,
    op.get(I), op.i32(4), op.add, op.tee(I), op.get(M4), op.ltU, op.brIf(0),
    op.end,
  ];
}

/** Cache blocking: a KC×NC block of B (256 KB) stays in L2 while every row strip of A passes. */
const KC = 256;
const NC = 256;

function blocked(mm: (...args: number[]) => void, p: MatmulArgs, m4: number, n8: number): void {
  const pb = p.packedB;
  for (let k0 = 0; k0 < p.k; k0 += KC) {
    const kc = Math.min(KC, p.k - k0);
    for (let j0 = 0; j0 < n8; j0 += NC) {
      const nc = Math.min(NC, n8 - j0);
      const a = (p.a + k0 * p.csA) * 4;
      const c = (p.c + j0) * 4;
      if (pb === undefined) mm(c, a, p.rsA * 4, p.csA * 4, (p.b + k0 * p.rsB + j0) * 4, p.rsB * 4, m4, kc, nc, p.n * 4, k0 > 0 ? 1 : 0, 4);
      else mm(c, a, p.rsA * 4, p.csA * 4, (pb + j0 * p.k + k0 * 8) * 4, 32, m4, kc, nc, p.n * 4, k0 > 0 ? 1 : 0, p.k * 4);
    }
  }
}

let compiled: object | undefined;
let vecmath: object | undefined;

/** The kernel module (assembled and compiled once per process). */
export function matmulModule(): object {
  if (!wasmApi) fail('usage', 'compile: this JavaScript engine has no WebAssembly');
  compiled ??= new wasmApi.Module(assemble([
    { name: 'mm', params: 12, locals: [I32, I32, I32, I32, I32, I32, I32, I32, ...new Array<number>(11).fill(V128)], body: kernelBody() },
  ]));
  return compiled;
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

const PAGE = 65536;
const MAX_BYTES = 2 ** 31;

/** WebAssembly SIMD for float32 plans (the arena in the module's memory); float64 uses JavaScript. */
export const wasmBackend: MatmulBackend = {
  create(dtype: DType, size: number) {
    if (dtype !== 'float32') fail('usage', 'compile: the wasm matmul kernel is float32 only');
    const bytes = size * 4;
    if (bytes > MAX_BYTES) fail('usage', `compile: the plan needs ${bytes} bytes, more than the wasm kernel's ${MAX_BYTES}`);
    const pages = Math.max(1, Math.ceil(bytes / PAGE));
    const module = matmulModule();
    const mem = new wasmApi!.Memory({ initial: pages, maximum: pages });
    const instance = new wasmApi!.Instance(module, { env: { mem } });
    const mm = instance.exports.mm as (...args: number[]) => void;
    const arena = new Float32Array(mem.buffer, 0, size);
    vecmath ??= new wasmApi!.Module(vecmathBytes());
    const vec = new wasmApi!.Instance(vecmath, { env: { mem } }).exports;
    const unary: Record<string, UnaryKernel> = {};
    for (const name of VECTOR_OPS) {
      const f = vec[name] as (...args: number[]) => void;
      unary[name] = (dst, src, rows, cols, ss, ds) => f(dst * 4, src * 4, rows, cols, ss * 4, ds * 4);
    }
    const kernel = (p: MatmulArgs): void => {
      const m4 = p.m & ~3;
      const n8 = p.n & ~7;
      if (m4 > 0 && n8 > 0 && p.k > 0) blocked(mm, p, m4, n8);
      if (n8 < p.n || p.k === 0) matmulJs(arena, p, 0, n8 > 0 && p.k > 0 ? n8 : 0);
      if (m4 < p.m) matmulJs(arena, p, m4, 0);
    };
    return { arena, kernel, name: 'wasm-simd-4x8', unary };
  },
  vectorOps: VECTOR_OPS,
  packs: true,
};
