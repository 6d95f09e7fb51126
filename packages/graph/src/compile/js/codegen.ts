/**
 * Code generation for fused groups and copies: one JavaScript loop nest per step, written from the
 * ops' expression templates, with every offset, stride and size baked in as a validated integer
 * literal. Axes that every access walks contiguously are merged, so a typical group is one flat
 * loop (or two, when a bias broadcasts over rows). Each iteration loads every operand, computes
 * every member into a local, then stores: a store never precedes a load of the same element, which
 * is what makes in-place outputs safe. Float64 plans use exactly the ops' expressions, so they equal
 * the interpreter. Float32 plans keep a group's intermediates in float64 and round once, when a
 * value is stored (the interpreter rounds after every op; dropping the per-op Math.fround saved
 * about 10% of a small training step) or compared (so no near-tie flips a branch), and compute exp/sigmoid/tanh with the fast helpers of
 * `fastmath.ts` (within one float32 ulp).
 */
import type { DType, TypedArray } from '../../ir/dtype.js';
import type { Graph } from '../../ir/node.js';
import { sizeOf, stridesOf, type Shape } from '../../ir/shape.js';
import type { Fusion, Instruction } from '../schedule/fuse-elementwise.js';
import { FAST_MATH } from './fastmath.js';
import { expression, intLiteral, literal } from './templates.js';
import { broadcastView, type View } from './views.js';

/** Ops that compare their operands (float32 plans round computed operands before comparing). */
const COMPARE = new Set(['greater', 'greater_equal', 'less', 'less_equal', 'equal', 'not_equal', 'where', 'sign']);

/** A generated step: call it to run the loop on the arena it was bound to. */
export type InstructionFn = () => void;

/** Everything codegen needs to know about the plan. */
export interface CodegenContext {
  readonly graph: Graph;
  readonly fusion: Fusion;
  readonly offsets: Float64Array;
  readonly dtype: DType;
  /** The value of a node that is one constant everywhere (fill, scalar constant), else undefined. */
  readonly constantValue: (id: number) => number | undefined;
}

export interface Access {
  readonly base: number;
  readonly strides: readonly number[];
}

/** Merge axes that every access walks contiguously; drop axes of size 1. */
export function collapse(shape: Shape, accesses: Access[]): { shape: number[]; accesses: Access[] } {
  const keep = shape.map((_d, i) => i).filter((i) => shape[i] !== 1);
  const dims: number[] = [];
  const strides: number[][] = accesses.map(() => []);
  for (const i of keep) {
    const last = dims.length - 1;
    const merge = last >= 0 && accesses.every((a, k) => strides[k]![last] === a.strides[i]! * shape[i]!);
    if (merge) {
      dims[last] = dims[last]! * shape[i]!;
      accesses.forEach((a, k) => (strides[k]![last] = a.strides[i]!));
    } else {
      dims.push(shape[i]!);
      accesses.forEach((a, k) => strides[k]!.push(a.strides[i]!));
    }
  }
  return { shape: dims, accesses: accesses.map((a, k) => ({ base: a.base, strides: strides[k]! })) };
}

/**
 * JS source of a loop nest over `shape` walking every access; `inner(ptr)` writes the innermost
 * statements, where `ptr(k)` is the current offset of access `k`.
 */
function loopSource(shape: Shape, all: Access[], inner: (ptr: (k: number) => string) => string[]): string {
  const { shape: dims, accesses } = collapse(shape, all);
  const lines: string[] = [];
  const ptr = (k: number, d: number) => (d < 0 ? intLiteral(accesses[k]!.base) : `p${k}_${d}`);
  dims.forEach((size, d) => {
    lines.push(`for (let i${d} = 0; i${d} < ${intLiteral(size)}; i${d}++) {`);
    accesses.forEach((a, k) => {
      const s = a.strides[d]!;
      lines.push(`const p${k}_${d} = ${ptr(k, d - 1)}${s === 0 ? '' : ` + i${d} * ${intLiteral(s)}`};`);
    });
  });
  lines.push(...inner((k) => ptr(k, dims.length - 1)));
  dims.forEach(() => lines.push('}'));
  return lines.join('\n');
}

/** A loop that loads `loads` into `l{k}`, runs `body`, then stores `values` to `outs`. */
function mapSource(shape: Shape, loads: Access[], outs: Access[], body: string[], values: string[]): string {
  return loopSource(shape, [...loads, ...outs], (ptr) => [
    ...loads.map((_, k) => `const l${k} = M[${ptr(k)}];`),
    ...body,
    ...values.map((v, j) => `M[${ptr(loads.length + j)}] = ${v};`),
  ]);
}

/** Bind generated source to the arena and the scalar functions it calls. */
function bind(source: string, arena: TypedArray, fns: ((...xs: number[]) => number)[]): InstructionFn {
  const factory = new Function('M', 'F', 'X', `'use strict';\nreturn function fusedStep() {\n${source}\n};`) as (
    m: TypedArray,
    f: typeof fns,
    x: typeof FAST_MATH,
  ) => InstructionFn;
  return factory(arena, fns, FAST_MATH);
}

/** The generated loop of a fused group (`step.kind === 'fused'`) or a copy (`'copy'`). */
export function generateStep(ctx: CodegenContext, step: Instruction, arena: TypedArray): { fn: InstructionFn; source: string } {
  const { graph, fusion, offsets } = ctx;
  const absolute = (v: View, shape: Shape): Access => {
    const b = broadcastView(v, shape);
    return { base: offsets[v.base]! + v.offset, strides: b.strides };
  };
  if (step.kind === 'copy') {
    const node = graph.nodes[step.id]!;
    const src = absolute(fusion.copyFrom[step.id]!, node.shape);
    const out: Access = { base: offsets[step.id]!, strides: stridesOf(node.shape) };
    const source = mapSource(node.shape, [src], [out], [], ['l0']);
    return { fn: bind(source, arena, []), source };
  }
  if (step.kind !== 'fused') throw new Error('generateStep: not a fused or copy step');
  const shape = step.shape;
  const group = fusion.groupOf[step.members[0]!]!;
  const loads: Access[] = [];
  const loadKey = new Map<string, string>();
  const fns: ((...xs: number[]) => number)[] = [];
  const slot = (fn: (...xs: number[]) => number) => {
    const k = fns.indexOf(fn);
    return k >= 0 ? k : fns.push(fn) - 1;
  };
  const operand = (v: View): string => {
    const c = ctx.constantValue(v.base);
    // Rounded first: a finite float64 constant can round to ±Infinity in float32 (then it is loaded).
    const r = c !== undefined && ctx.dtype === 'float32' ? Math.fround(c) : c;
    if (r !== undefined && Number.isFinite(r)) return literal(r);
    const a = absolute(v, shape);
    const key = `${a.base}:${a.strides.join(',')}`;
    let name = loadKey.get(key);
    if (name === undefined) {
      name = `l${loads.length}`;
      loads.push(a);
      loadKey.set(key, name);
    }
    return name;
  };
  const body: string[] = [];
  for (const m of step.members) {
    const node = graph.nodes[m]!;
    const args = fusion.inputViews[m]!.map((v, k) => {
      const i = node.inputs[k]!;
      return fusion.groupOf[i] === group && v.base === i ? `t${intLiteral(i)}` : operand(v);
    });
    // Comparisons see float32 operands, as in the interpreter, so a near-tie never flips a branch.
    const exact = ctx.dtype === 'float32' && COMPARE.has(node.op) ? args.map((a) => (a.startsWith('t') ? `Math.fround(${a})` : a)) : args;
    body.push(`const t${intLiteral(m)} = ${expression(node, exact, slot, ctx.dtype === 'float32')};`);
  }
  const outs = step.outputs.map((o): Access => ({ base: offsets[o]!, strides: stridesOf(shape) }));
  const source = mapSource(
    shape,
    loads,
    outs,
    body,
    step.outputs.map((o) => `t${intLiteral(o)}`),
  );
  return { fn: bind(source, arena, fns), source };
}

/** Joins of more parts than this copy through one loop per rank over a table of parts (bounded code). */
export const MAX_INLINE_PARTS = 64;

/**
 * concat and pad as generated copies: each input (read through its view) is copied into its slab of
 * the output; pad zero-fills the output first. No reference kernel, no allocation per run. Up to
 * `MAX_INLINE_PARTS` parts get a loop each with their offsets baked in; a concat of more (a graph
 * may join 200 000 tensors) runs `tableJoin` loops instead, so the generated code never grows with
 * the number of parts.
 */
export function generateJoin(ctx: CodegenContext, id: number, arena: TypedArray): { fn: InstructionFn; source: string } {
  const node = ctx.graph.nodes[id]!;
  const outStrides = stridesOf(node.shape);
  const axis = node.attrs.axis as number;
  const views = ctx.fusion.inputViews[id]!;
  const prefix = node.op === 'pad' ? [`M.fill(0, ${intLiteral(ctx.offsets[id]!)}, ${intLiteral(ctx.offsets[id]! + sizeOf(node.shape))});`] : [];
  let start = node.op === 'pad' ? (node.attrs.before as number) : 0;
  const copies = views.map((v) => {
    const src: Access = { base: ctx.offsets[v.base]! + v.offset, strides: v.strides };
    const dst: Access = { base: ctx.offsets[id]! + start * outStrides[axis]!, strides: outStrides };
    start += v.shape[axis]!;
    return { shape: v.shape, src, dst };
  });
  if (copies.length > MAX_INLINE_PARTS) return tableJoin(prefix, copies, arena);
  const parts = [...prefix];
  for (const c of copies) parts.push(`{\n${mapSource(c.shape, [c.src], [c.dst], [], ['l0'])}\n}`);
  const source = parts.join('\n');
  return { fn: bind(source, arena, []), source };
}

/**
 * Copies of many parts: parts are grouped by the rank of their collapsed loop nest; each group is a
 * table with one row per part (source base, destination base, sizes, source strides, destination
 * strides) walked by one generated loop nest that reads its bounds and strides from the row.
 */
function tableJoin(
  prefix: readonly string[],
  copies: readonly { shape: Shape; src: Access; dst: Access }[],
  arena: TypedArray,
): { fn: InstructionFn; source: string } {
  const rows = new Map<number, number[]>();
  for (const c of copies) {
    const {
      shape: dims,
      accesses: [src, dst],
    } = collapse(c.shape, [c.src, c.dst]);
    if (dims.some((d) => d === 0)) continue;
    const r = dims.length;
    let row = rows.get(r);
    if (!row) rows.set(r, (row = []));
    row.push(src!.base, dst!.base, ...dims, ...src!.strides, ...dst!.strides);
  }
  const tables: Float64Array[] = [];
  const parts = [...prefix];
  for (const [r, row] of rows) {
    const width = 2 + 3 * r;
    const t = `T[${tables.length}]`;
    tables.push(Float64Array.from(row));
    const lines = [`{\nconst R = ${t};\nfor (let q = 0; q < R.length; q += ${width}) {`, 'const s_ = R[q];', 'const d_ = R[q + 1];'];
    for (let d = 0; d < r; d++) {
      const [outerS, outerD] = d === 0 ? ['s_', 'd_'] : [`s${d - 1}`, `d${d - 1}`];
      lines.push(`for (let i${d} = 0, n${d} = R[q + ${2 + d}]; i${d} < n${d}; i${d}++) {`);
      lines.push(`const s${d} = ${outerS} + i${d} * R[q + ${2 + r + d}];`, `const d${d} = ${outerD} + i${d} * R[q + ${2 + 2 * r + d}];`);
    }
    lines.push(r === 0 ? 'M[d_] = M[s_];' : `M[d${r - 1}] = M[s${r - 1}];`);
    for (let d = 0; d < r; d++) lines.push('}');
    lines.push('}\n}');
    parts.push(lines.join('\n'));
  }
  const source = parts.join('\n');
  const factory = new Function('M', 'T', `'use strict';\nreturn function joinStep() {\n${source}\n};`) as (m: TypedArray, t: Float64Array[]) => InstructionFn;
  return { fn: factory(arena, tables), source };
}

const REDUCE: Readonly<Record<string, { init: string; combine: string }>> = {
  sum: { init: '0', combine: 'S[q] + l0' },
  mean: { init: '0', combine: 'S[q] + l0' },
  max: { init: '-Infinity', combine: '(l0 > S[q] || l0 !== l0 ? l0 : S[q])' },
};

/**
 * The loop of a reduction (sum, mean, max) read through a view: it walks the input in row-major
 * order into a float64 scratch (as the interpreter does), then writes the results.
 */
export function generateReduce(ctx: CodegenContext, id: number, arena: TypedArray): { fn: InstructionFn; source: string } {
  const node = ctx.graph.nodes[id]!;
  const r = REDUCE[node.op];
  if (!r) throw new Error(`generateReduce: ${node.op} is not a reduction`);
  const input = ctx.graph.nodes[node.inputs[0]!]!;
  const v = ctx.fusion.inputViews[id]![0]!;
  const axes = node.attrs.axes as number[];
  const kept = input.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const keptStrides = stridesOf(kept).map((s, i) => (axes.includes(i) ? 0 : s));
  const outSize = sizeOf(node.shape);
  const src: Access = { base: ctx.offsets[v.base]! + v.offset, strides: v.strides };
  const loop = loopSource(input.shape, [src, { base: 0, strides: keptStrides }], (ptr) => [
    `const l0 = M[${ptr(0)}];`,
    `const q = ${ptr(1)};`,
    `S[q] = ${r.combine};`,
  ]);
  const count = sizeOf(input.shape) / Math.max(1, outSize);
  const out = intLiteral(ctx.offsets[id]!);
  const finish = node.op === 'mean' ? `S[j] / ${literal(count)}` : 'S[j]';
  // Three separate functions: V8 optimises each loop on its own (one function holding both loops
  // kept deoptimising on the second loop, whose compare had no type feedback when the first was
  // optimised on stack).
  const finishSource = `for (let j = 0; j < ${intLiteral(outSize)}; j++) M[${out} + j] = ${finish};`;
  const make = (body: string) =>
    new Function('M', 'S', `'use strict';\nreturn function reduceStep() {\n${body}\n};`) as (m: TypedArray, s: Float64Array) => InstructionFn;
  const scratch = new Float64Array(outSize);
  const init = r.init === '0' ? 0 : -Infinity;
  const main = make(loop)(arena, scratch);
  const done = make(finishSource)(arena, scratch);
  const fn = () => {
    scratch.fill(init);
    main();
    done();
  };
  return { fn, source: [`S.fill(${r.init});`, loop, finishSource].join('\n') };
}
