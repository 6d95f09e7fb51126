/**
 * A tiny WebAssembly assembler: just enough to emit one module that imports a memory and exports
 * functions of i32 parameters, with i32 and v128 locals. Instructions are byte arrays built by the
 * helpers below (opcodes from the WebAssembly core and SIMD specifications), so the kernel that
 * uses it reads like the text format.
 */

/** Unsigned LEB128. */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (32-bit). */
export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const name = (s: string): number[] => [...uleb(s.length), ...[...s].map((c) => c.charCodeAt(0))];
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** An instruction's bytes. */
export type Ins = readonly number[];

/** The part of the WebAssembly JS API used here (the TypeScript lib in use has no DOM types). */
export interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  readonly Memory: new (d: { initial: number; maximum?: number }) => { readonly buffer: ArrayBuffer };
}

/** The engine's WebAssembly object, or undefined when there is none. */
export const wasmApi: WasmApi | undefined = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;

/** Value types. */
export const I32 = 0x7f;
export const V128 = 0x7b;

/** Instructions (each returns its bytes). */
export const op: Readonly<Record<string, Ins | ((...a: number[]) => Ins)>> & {
  get(i: number): Ins;
  set(i: number): Ins;
  tee(i: number): Ins;
  i32(v: number): Ins;
  brIf(d: number): Ins;
  call(i: number): Ins;
  select: Ins;
  eqz: Ins;
  v128Load(o?: number): Ins;
  v128Store(o?: number): Ins;
  load32Splat(o?: number): Ins;
  add: Ins;
  sub: Ins;
  mul: Ins;
  ltU: Ins;
  gtU: Ins;
  eq: Ins;
  ne: Ins;
  loop: Ins;
  if: Ins;
  else: Ins;
  block: Ins;
  end: Ins;
  v128Zero: Ins;
  f32x4Add: Ins;
  f32x4Mul: Ins;
} = {
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a],
  sub: [0x6b],
  mul: [0x6c],
  ltU: [0x49],
  gtU: [0x4b],
  eq: [0x46],
  ne: [0x47],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: [0x05],
  block: [0x02, 0x40],
  end: [0x0b],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  /** call the module's function number `index`. */
  call: (index: number) => [0x10, ...uleb(index)],
  /** select: the first operand when the i32 on top is non-zero, else the second. */
  select: [0x1b],
  eqz: [0x45],
  /** v128.load with byte offset `offset` (alignment hint 1 byte: addresses need not be aligned). */
  v128Load: (offset = 0) => [0xfd, ...uleb(0), 0, ...uleb(offset)],
  v128Store: (offset = 0) => [0xfd, ...uleb(11), 0, ...uleb(offset)],
  load32Splat: (offset = 0) => [0xfd, ...uleb(9), 0, ...uleb(offset)],
  v128Zero: [0xfd, ...uleb(12), ...new Array<number>(16).fill(0)],
  f32x4Add: [0xfd, ...uleb(228)],
  f32x4Mul: [0xfd, ...uleb(230)],
};

/** More SIMD instructions (opcode numbers of the WebAssembly SIMD specification). */
const simd = (code: number): Ins => [0xfd, ...uleb(code)];
export const vop = {
  abs: simd(224),
  neg: simd(225),
  add: simd(228),
  sub: simd(229),
  mul: simd(230),
  div: simd(231),
  min: simd(232),
  max: simd(233),
  /** f32x4.pmin/pmax: b < a ? b : a and a < b ? b : a (one instruction; a NaN in `a` propagates). */
  pmin: simd(234),
  pmax: simd(235),
  nearest: simd(106),
  eq: simd(65),
  ne: simd(66),
  lt: simd(67),
  gt: simd(68),
  le: simd(69),
  ge: simd(70),
  sqrt: simd(227),
  and: simd(78),
  or: simd(80),
  bitselect: simd(82),
  truncSatS: simd(248),
  i32x4Add: simd(174),
  i32x4Shl: simd(171),
  i32x4ShrS: simd(172),
  i32x4Sub: simd(177),
  /** float64 pairs: promote the low two float32 lanes, demote into the low two (high lanes 0). */
  promoteLow: simd(95),
  demoteZero: simd(94),
  f64Add: simd(240),
  f64Div: simd(243),
  /** f64x2.extract_lane. */
  f64Lane: (lane: number): Ins => [0xfd, ...uleb(33), lane],
  /** v128.load64_zero: two float32 at `offset` into the low half. */
  load64Zero: (offset = 0): Ins => [0xfd, ...uleb(93), 0, ...uleb(offset)],
  /** v128.store64_lane: store one 64-bit lane. */
  store64Lane: (lane: number, offset = 0): Ins => [0xfd, ...uleb(91), 0, ...uleb(offset), lane],
  /** v128.const of two equal float64 lanes. */
  f64(v: number): Ins {
    const bytes = new Uint8Array(new Float64Array([v, v]).buffer);
    return [0xfd, ...uleb(12), ...bytes];
  },
  /** v128.const of four equal float32 lanes. */
  f32(v: number): Ins {
    const bytes = new Uint8Array(new Float32Array([v, v, v, v]).buffer);
    return [0xfd, ...uleb(12), ...bytes];
  },
  /** v128.const of four equal int32 lanes. */
  i32(v: number): Ins {
    const bytes = new Uint8Array(new Int32Array([v, v, v, v]).buffer);
    return [0xfd, ...uleb(12), ...bytes];
  },
};

/** Scalar float instructions. */
export const sop = {
  f64Add: [0xa0] as Ins,
  f64Div: [0xa3] as Ins,
  f32DemoteF64: [0xb6] as Ins,
  f32Store: (offset = 0): Ins => [0x38, 0, ...uleb(offset)],
  f64(v: number): Ins {
    return [0x44, ...new Uint8Array(new Float64Array([v]).buffer)];
  },
};

/** A function: i32 parameters, extra locals (by type), its body (instructions, without `end`). */
export interface WasmFunction {
  readonly name: string;
  readonly params: number;
  readonly locals: readonly number[];
  readonly body: readonly Ins[];
}

/**
 * A module importing `env.mem` (a memory of at least one page; with `shared`, a shared memory, as
 * worker threads need) and exporting `fns` (function i is number i, for `op.call`).
 */
export function assemble(fns: readonly WasmFunction[], options: { readonly shared?: boolean } = {}): Uint8Array {
  const types = fns.map((f) => [0x60, ...vec(new Array<number[]>(f.params).fill([I32])), 0]);
  const limits = options.shared ? [0x03, ...uleb(1), ...uleb(65536)] : [0x00, ...uleb(1)];
  const imports = vec([[...name('env'), ...name('mem'), 0x02, ...limits]]);
  const funcs = vec(fns.map((_, i) => uleb(i)));
  const exports = vec(fns.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]));
  const bodies = fns.map((f) => {
    const locals = vec(f.locals.map((t) => [1, t]));
    const code = [...locals, ...f.body.flat(), ...op.end];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, vec(types)),
    ...section(2, imports),
    ...section(3, funcs),
    ...section(7, exports),
    ...section(10, vec(bodies)),
  ]);
}
