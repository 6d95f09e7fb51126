/**
 * Fused elementwise groups, copies and concatenations of float32 plans as WebAssembly SIMD loops:
 * four lanes per iteration, exp/sigmoid/tanh inlined (`simd-math.ts`), so a whole LSTM gate block
 * is one pass over memory. A step qualifies when, after merging contiguous axes, its innermost axis
 * is a multiple of 4 long and every access walks it with stride 1 or 0 (a broadcast), and every
 * member has a SIMD form (`pow`, `log` and ops known only by their scalar function do not; those
 * groups keep their JavaScript loop). Functions are keyed by their loop structure and program, not
 * their addresses (the addresses are parameters), so the T steps of an unrolled cell share one
 * function and a module stays small however long the sequence. Each op is evaluated in float32
 * (rounded after every op, as the interpreter does); comparisons and selections follow the
 * JavaScript templates' semantics, NaN included.
 */
import type { Graph } from '../../ir/node.js';
import { sizeOf, stridesOf, type Shape } from '../../ir/shape.js';
import type { Instruction } from '../schedule/fuse-elementwise.js';
import { collapse, type Access, type CodegenContext } from '../js/codegen.js';
import { expIns, sigmoidIns, tanhIns, type MathTemps } from './simd-math.js';
import { I32, op, V128, vop, type Ins, type WasmFunction } from './wasm-asm.js';
import { broadcastView, type View } from '../js/views.js';
import type { SimdKernel } from './simd-steps.js';
import { registerLowerings } from '../../ops/lowerings.js';

/** An operand of a member: a loaded access, a constant, or an earlier member. */
type Ref = { readonly load: number } | { readonly value: number } | { readonly member: number };

interface Member {
  readonly op: string;
  readonly args: readonly Ref[];
  readonly attrs?: readonly number[];
}

/** What a loop computes: `loads` accesses in, members in order, `stores` refs out. */
interface Program {
  readonly dims: readonly number[];
  /** Element strides per access per axis: the loads, then the stores. */
  readonly strides: readonly (readonly number[])[];
  readonly loads: number;
  readonly members: readonly Member[];
  readonly stores: readonly Ref[];
}

/** One qualifying step: its function's key and program, and its accesses' arena offsets. */
export interface SimdLoop extends SimdKernel {
  readonly program: Program;
}

const BINARY: Readonly<Record<string, Ins>> = { add: vop.add, sub: vop.sub, mul: vop.mul, div: vop.div };
const COMPARE: Readonly<Record<string, Ins>> = {
  greater: vop.gt,
  greater_equal: vop.ge,
  less: vop.lt,
  less_equal: vop.le,
  equal: vop.eq,
  not_equal: vop.ne,
};
const UNARY: Readonly<Record<string, Ins>> = { neg: vop.neg, abs: vop.abs, sqrt: vop.sqrt };
const MATH = new Set(['exp', 'sigmoid', 'tanh']);
const OTHER = new Set(['maximum', 'minimum', 'square', 'relu', 'clamp', 'hard_sigmoid', 'where', 'sign']);

registerLowerings('simd', 'compile/wasm/simd-loops.ts', [...Object.keys(BINARY), ...Object.keys(COMPARE), ...Object.keys(UNARY), ...MATH, ...OTHER]);

const hasSimdForm = (name: string) => name in BINARY || name in COMPARE || name in UNARY || MATH.has(name) || OTHER.has(name);

/** The numeric attributes a member's SIMD form reads. */
function attrsOf(g: Graph, id: number): number[] | undefined {
  const node = g.nodes[id]!;
  if (node.op === 'clamp') return [node.attrs.min as number, node.attrs.max as number];
  if (node.op === 'hard_sigmoid') return [node.attrs.slope as number];
  return undefined;
}

/** Collapse the loop and check it qualifies; the program with collapsed strides, or undefined. */
function finish(shape: Shape, accesses: Access[], loads: number, members: Member[], stores: Ref[]): SimdLoop | undefined {
  if (sizeOf(shape) === 0) return undefined;
  const { shape: dims, accesses: col } = collapse(shape, accesses);
  if (dims.length === 0 || dims.length > 4) return undefined;
  const inner = dims.length - 1;
  if (dims[inner]! % 4 !== 0 || !col.every((a) => a.strides[inner] === 0 || a.strides[inner] === 1)) return undefined;
  // A store must not be an inner broadcast (four lanes to one element).
  if (col.slice(loads).some((a) => a.strides[inner] === 0)) return undefined;
  const program: Program = { dims, strides: col.map((a) => a.strides), loads, members, stores };
  // Split over threads by the outermost loop: rows, or groups of four elements of a flat loop.
  const flat = dims.length === 1;
  // Work per element: exp/sigmoid/tanh weigh 20 operations; a loop that only moves memory (a copy)
  // a quarter, since splitting one paid only when it was megabytes long (its halves sit in one core's cache).
  const cost = members.length === 0 ? 0.25 : members.reduce((n, m) => n + (MATH.has(m.op) ? 20 : 1), 0);
  const loop: SimdLoop = {
    key: `loop ${JSON.stringify(program)}`,
    program,
    offsets: col.map((a) => a.base),
    split: {
      units: flat ? dims[0]! / 4 : dims[0]!,
      unitStrides: col.map((a) => a.strides[0]! * (flat ? 4 : 1)),
      work: sizeOf(shape) * cost,
    },
    build: (name) => simdFunction(name, program),
    describe: (name) => describeSimdLoop(name, loop),
  };
  return loop;
}

/** The SIMD loop of a fused group or a copy step, or undefined when it does not qualify. */
export function simdLoop(ctx: CodegenContext, step: Instruction): SimdLoop | undefined {
  const { graph, fusion, offsets } = ctx;
  const absolute = (v: View, shape: Shape): Access => ({ base: offsets[v.base]! + v.offset, strides: broadcastView(v, shape).strides });
  if (step.kind === 'copy') {
    const node = graph.nodes[step.id]!;
    const src = absolute(fusion.copyFrom[step.id]!, node.shape);
    return finish(node.shape, [src, { base: offsets[step.id]!, strides: stridesOf(node.shape) }], 1, [], [{ load: 0 }]);
  }
  if (step.kind !== 'fused') return undefined;
  const shape = step.shape;
  const group = fusion.groupOf[step.members[0]!]!;
  const loads: Access[] = [];
  const loadKey = new Map<string, number>();
  const memberIndex = new Map<number, number>();
  const members: Member[] = [];
  const operand = (v: View): Ref => {
    const c = ctx.constantValue(v.base);
    if (c !== undefined) return { value: Math.fround(c) };
    const a = absolute(v, shape);
    const key = `${a.base}:${a.strides.join(',')}`;
    let k = loadKey.get(key);
    if (k === undefined) {
      k = loads.length;
      loads.push(a);
      loadKey.set(key, k);
    }
    return { load: k };
  };
  for (const m of step.members) {
    const node = graph.nodes[m]!;
    if (!hasSimdForm(node.op)) return undefined;
    const args = fusion.inputViews[m]!.map((v, k): Ref => {
      const i = node.inputs[k]!;
      return fusion.groupOf[i] === group && v.base === i ? { member: memberIndex.get(i)! } : operand(v);
    });
    const attrs = attrsOf(graph, m);
    if (attrs && !attrs.every(Number.isFinite)) return undefined;
    memberIndex.set(m, members.length);
    members.push(attrs ? { op: node.op, args, attrs } : { op: node.op, args });
  }
  const stores = step.outputs.map((o): Access => ({ base: offsets[o]!, strides: stridesOf(shape) }));
  return finish(
    shape,
    [...loads, ...stores],
    loads.length,
    members,
    step.outputs.map((o) => ({ member: memberIndex.get(o)! })),
  );
}

/** The SIMD copies of a concat (one per input into its slab), or undefined when one does not qualify. */
export function simdConcat(ctx: CodegenContext, id: number): SimdLoop[] | undefined {
  const node = ctx.graph.nodes[id]!;
  if (node.op !== 'concat') return undefined;
  const outStrides = stridesOf(node.shape);
  const axis = node.attrs.axis as number;
  const loops: SimdLoop[] = [];
  let start = 0;
  for (const v of ctx.fusion.inputViews[id]!) {
    const src: Access = { base: ctx.offsets[v.base]! + v.offset, strides: v.strides };
    const dst: Access = { base: ctx.offsets[id]! + start * outStrides[axis]!, strides: outStrides };
    start += v.shape[axis]!;
    if (sizeOf(v.shape) === 0) continue;
    const loop = finish(v.shape, [src, dst], 1, [], [{ load: 0 }]);
    if (!loop) return undefined;
    loops.push(loop);
  }
  return loops;
}

/**
 * The WebAssembly function of a program: parameters are the accesses' byte addresses, then the
 * count of the outermost loop (rows; groups of four elements when the loop is flat), so that a
 * thread can run a share of it.
 */
export function simdFunction(name: string, p: Program): WasmFunction {
  const nAccess = p.strides.length;
  const count = nAccess;
  const levels = p.dims.length;
  const inner = levels - 1;
  // i32 locals: a pointer per access per level, then a counter per level.
  let next = nAccess + 1;
  const ptr = p.strides.map(() => Array.from({ length: levels }, () => next++));
  const counter = Array.from({ length: levels }, () => next++);
  const i32Count = next - nAccess - 1;
  // v128 locals: one per load, one per member, a scratch operand, four math temps.
  const loadLocal = Array.from({ length: p.loads }, () => next++);
  const memberLocal = p.members.map(() => next++);
  const scratch = next++;
  const temps: MathTemps = { t: next++, k: next++, r: next++, s: next++ };
  const v128Count = next - nAccess - 1 - i32Count;

  const push = (r: Ref): Ins[] => ('load' in r ? [op.get(loadLocal[r.load]!)] : 'member' in r ? [op.get(memberLocal[r.member]!)] : [vop.f32(r.value)]);
  const asLocal = (r: Ref): { ins: Ins[]; local: number } =>
    'value' in r ? { ins: [vop.f32(r.value), op.set(scratch)], local: scratch } : { ins: [], local: 'load' in r ? loadLocal[r.load]! : memberLocal[r.member]! };
  const zero = vop.f32(0);

  const compute = (m: Member, out: number): Ins[] => {
    const [a, b, c] = m.args;
    if (m.op in BINARY) return [...push(a!), ...push(b!), BINARY[m.op]!, op.set(out)];
    if (m.op in UNARY) return [...push(a!), UNARY[m.op]!, op.set(out)];
    if (m.op in COMPARE) return [...push(a!), ...push(b!), COMPARE[m.op]!, vop.f32(1), vop.and, op.set(out)];
    if (MATH.has(m.op)) {
      const src = asLocal(a!);
      const f = m.op === 'exp' ? expIns : m.op === 'sigmoid' ? sigmoidIns : tanhIns;
      return [...src.ins, ...f(src.local, out, temps)];
    }
    switch (m.op) {
      case 'square':
        return [...push(a!), ...push(a!), vop.mul, op.set(out)];
      // a >= b ? a : b, a <= b ? a : b (the templates' selection, NaN included)
      case 'maximum':
        return [...push(a!), ...push(b!), ...push(a!), ...push(b!), vop.ge, vop.bitselect, op.set(out)];
      case 'minimum':
        return [...push(a!), ...push(b!), ...push(a!), ...push(b!), vop.le, vop.bitselect, op.set(out)];
      case 'relu':
        return [...push(a!), zero, ...push(a!), zero, vop.gt, vop.bitselect, op.set(out)];
      case 'clamp': {
        const [lo, hi] = m.attrs!.map(Math.fround) as [number, number];
        // a < lo ? lo : a > hi ? hi : a
        return [
          vop.f32(lo),
          vop.f32(hi),
          ...push(a!),
          ...push(a!),
          vop.f32(hi),
          vop.gt,
          vop.bitselect,
          ...push(a!),
          vop.f32(lo),
          vop.lt,
          vop.bitselect,
          op.set(out),
        ];
      }
      case 'hard_sigmoid':
        return [vop.f32(Math.fround(m.attrs![0]!)), ...push(a!), vop.mul, vop.f32(0.5), vop.add, zero, vop.max, vop.f32(1), vop.min, op.set(out)];
      // c !== 0 ? a : b
      case 'where':
        return [...push(b!), ...push(c!), ...push(a!), zero, vop.ne, vop.bitselect, op.set(out)];
      // a > 0 ? 1 : a < 0 ? −1 : 0
      case 'sign':
        return [vop.f32(1), vop.f32(-1), zero, ...push(a!), zero, vop.lt, vop.bitselect, ...push(a!), zero, vop.gt, vop.bitselect, op.set(out)];
      default:
        throw new Error(`simdFunction: no SIMD form for '${m.op}'`);
    }
  };

  const body: Ins[] = [];
  for (let k = 0; k < p.loads; k++) {
    const stride1 = p.strides[k]![inner] === 1;
    body.push(op.get(ptr[k]![inner]!), stride1 ? op.v128Load(0) : op.load32Splat(0), op.set(loadLocal[k]!));
  }
  p.members.forEach((m, j) => body.push(...compute(m, memberLocal[j]!)));
  p.stores.forEach((r, j) => body.push(op.get(ptr[p.loads + j]![inner]!), ...push(r), op.v128Store(0)));

  const level = (l: number): Ins[] => {
    const out: Ins[] = [];
    for (let a = 0; a < nAccess; a++) out.push(l === 0 ? op.get(a) : op.get(ptr[a]![l - 1]!), op.set(ptr[a]![l]!));
    out.push(l === 0 ? op.get(count) : op.i32(l === inner ? p.dims[l]! / 4 : p.dims[l]!), op.set(counter[l]!));
    out.push(op.loop);
    out.push(...(l === inner ? body : level(l + 1)));
    for (let a = 0; a < nAccess; a++) {
      const step = l === inner ? (p.strides[a]![l] === 1 ? 16 : 0) : p.strides[a]![l]! * 4;
      if (step !== 0) out.push(op.get(ptr[a]![l]!), op.i32(step), op.add, op.set(ptr[a]![l]!));
    }
    out.push(op.get(counter[l]!), op.i32(1), op.sub, op.tee(counter[l]!), op.brIf(0), op.end);
    return out;
  };
  return {
    name,
    params: nAccess + 1,
    locals: [...new Array<number>(i32Count).fill(I32), ...new Array<number>(v128Count).fill(V128)],
    body: level(0),
  };
}

/** A readable account of a SIMD loop, for `Executable.source()`. */
export function describeSimdLoop(name: string, loop: SimdLoop): string {
  const ref = (r: Ref) => ('load' in r ? `in${r.load}` : 'member' in r ? `t${r.member}` : String(r.value));
  const lines = loop.program.members.map((m, j) => `  t${j} = ${m.op}(${m.args.map(ref).join(', ')})`);
  const stores = loop.program.stores.map((r, j) => `  out${j} = ${ref(r)}`);
  return [`// wasm simd loop ${name} over [${loop.program.dims.join(', ')}], accesses at ${loop.offsets.join(', ')}`, ...lines, ...stores].join('\n');
}
