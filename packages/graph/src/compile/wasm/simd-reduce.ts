/**
 * sum and mean of float32 plans as WebAssembly SIMD: the whole tensor to a scalar (contiguous
 * input), or over the leading axes down to the trailing ones (a bias gradient: column sums of a
 * rows × cols block with any row stride). Pairs of float32 are promoted and accumulated in float64
 * lanes, as the interpreter accumulates in float64, so only the summation order differs from it
 * (far below float32 rounding); mean divides in float64 before the final rounding, as it does.
 * Other reductions (max, other axes, ragged widths) keep their JavaScript loop. Column sums split
 * over threads by blocks or groups of columns, so each output element is summed in the same order
 * on any number of threads.
 */
import type { Graph } from '../../ir/node.js';
import { sizeOf, stridesOf } from '../../ir/shape.js';
import type { Fusion } from '../schedule/fuse-elementwise.js';
import { collapse } from '../js/codegen.js';
import type { SimdKernel } from './simd-steps.js';
import { I32, op, sop, V128, vop, type Ins, type WasmFunction } from './wasm-asm.js';
import { registerLowerings } from '../../ops/lowerings.js';

registerLowerings('simd', 'compile/wasm/simd-reduce.ts', ['sum', 'mean']);

// Parameters: output and input byte addresses.
const [OUT, SRC] = [0, 1];

/** Whole-tensor sum of n contiguous floats (n a multiple of 4) into one float32, divided by `divisor`. */
function fullFunction(name: string, n: number, divisor: number): WasmFunction {
  const [P, Q, A0, A1] = [2, 3, 4, 5];
  return {
    name,
    params: 2,
    locals: [I32, I32, V128, V128],
    body: [
      op.get(SRC),
      op.set(P),
      op.i32(n / 4),
      op.set(Q),
      vop.f64(0),
      op.set(A0),
      vop.f64(0),
      op.set(A1),
      op.loop,
      op.get(A0),
      op.get(P),
      vop.load64Zero(0),
      vop.promoteLow,
      vop.f64Add,
      op.set(A0),
      op.get(A1),
      op.get(P),
      vop.load64Zero(8),
      vop.promoteLow,
      vop.f64Add,
      op.set(A1),
      op.get(P),
      op.i32(16),
      op.add,
      op.set(P),
      op.get(Q),
      op.i32(1),
      op.sub,
      op.tee(Q),
      op.brIf(0),
      op.end,
      op.get(A0),
      op.get(A1),
      vop.f64Add,
      op.set(A0),
      op.get(OUT),
      op.get(A0),
      vop.f64Lane(0),
      op.get(A0),
      vop.f64Lane(1),
      sop.f64Add,
      ...(divisor !== 1 ? [sop.f64(divisor), sop.f64Div] : []),
      sop.f32DemoteF64,
      sop.f32Store(0),
    ],
  };
}

/** A rows × blocks × cols input (strides rowStride, blockStride, 1) summed over rows. */
interface Columns {
  readonly rows: number;
  readonly cols: number;
  readonly rowStride: number;
  readonly blocks: number;
  readonly blockStride: number;
}

/**
 * Column sums (cols a multiple of 4) into blocks × cols dense floats, divided by `divisor`: for each
 * block, groups of 8 columns (4 when cols is not a multiple of 8) each walk every row with one
 * float64 pair accumulator per two columns.
 */
function columnFunction(name: string, { rows, cols, rowStride, blocks, blockStride }: Columns, divisor: number): WasmFunction {
  const width = columnWidth(cols);
  // The third parameter counts the blocks to run (several blocks), else the groups of columns.
  const COUNT = 2;
  const [J, P, QR, QC, O, B, QB] = [3, 4, 5, 6, 7, 8, 9];
  const acc = Array.from({ length: width / 2 }, (_, k) => 10 + k);
  const finish = (a: number): Ins[] => [op.get(a), ...(divisor !== 1 ? [vop.f64(divisor), vop.f64Div] : []), vop.demoteZero];
  return {
    name,
    params: 3,
    locals: [I32, I32, I32, I32, I32, I32, I32, ...acc.map(() => V128)],
    body: [
      op.get(SRC),
      op.set(B),
      op.get(OUT),
      op.set(O),
      blocks > 1 ? op.get(COUNT) : op.i32(1),
      op.set(QB),
      op.loop,
      op.get(B),
      op.set(J),
      blocks > 1 ? op.i32(cols / width) : op.get(COUNT),
      op.set(QC),
      op.loop,
      ...acc.flatMap((a) => [vop.f64(0), op.set(a)]),
      op.get(J),
      op.set(P),
      op.i32(rows),
      op.set(QR),
      op.loop,
      ...acc.flatMap((a, k) => [op.get(a), op.get(P), vop.load64Zero(8 * k), vop.promoteLow, vop.f64Add, op.set(a)]),
      op.get(P),
      op.i32(rowStride * 4),
      op.add,
      op.set(P),
      op.get(QR),
      op.i32(1),
      op.sub,
      op.tee(QR),
      op.brIf(0),
      op.end,
      ...acc.flatMap((a, k) => [op.get(O), ...finish(a), vop.store64Lane(0, 8 * k)]),
      op.get(J),
      op.i32(width * 4),
      op.add,
      op.set(J),
      op.get(O),
      op.i32(width * 4),
      op.add,
      op.set(O),
      op.get(QC),
      op.i32(1),
      op.sub,
      op.tee(QC),
      op.brIf(0),
      op.end,
      op.get(B),
      op.i32(blockStride * 4),
      op.add,
      op.set(B),
      op.get(QB),
      op.i32(1),
      op.sub,
      op.tee(QB),
      op.brIf(0),
      op.end,
    ],
  };
}

/** Columns summed together per pass: 8 (4 when cols is not a multiple of 8). */
const columnWidth = (cols: number) => (cols % 8 === 0 ? 8 : 4);

/** The SIMD reduction of node `id` (sum or mean), or undefined when it does not qualify. */
export function simdReduce(g: Graph, fusion: Fusion, offsets: Float64Array, id: number): SimdKernel | undefined {
  const node = g.nodes[id]!;
  if (node.op !== 'sum' && node.op !== 'mean') return undefined;
  const input = g.nodes[node.inputs[0]!]!;
  const v = fusion.inputViews[id]![0]!;
  const n = sizeOf(input.shape);
  if (n === 0) return undefined;
  const axes = node.attrs.axes as number[];
  const kept = input.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const keptStrides = stridesOf(kept).map((st, i) => (axes.includes(i) ? 0 : st));
  const { shape: dims, accesses } = collapse(input.shape, [
    { base: offsets[v.base]! + v.offset, strides: v.strides },
    { base: offsets[id]!, strides: keptStrides },
  ]);
  const [src, out] = accesses as [{ base: number; strides: number[] }, { base: number; strides: number[] }];
  const divisor = node.op === 'mean' ? n / Math.max(1, sizeOf(node.shape)) : 1;
  const kernel = (key: string, build: (name: string) => WasmFunction, what: string, split?: SimdKernel['split']): SimdKernel => ({
    key: `reduce ${key} ${divisor}`,
    offsets: [out.base, src.base],
    build,
    describe: (name) => `// wasm simd ${node.op} ${name}: ${what}`,
    ...(split ? { split } : {}),
  });
  if (dims.length === 1 && src.strides[0] === 1 && out.strides[0] === 0 && dims[0]! % 4 === 0) {
    return kernel(`full ${dims[0]}`, (name) => fullFunction(name, dims[0]!, divisor), `${dims[0]} contiguous floats to one`);
  }
  // rows × [blocks ×] cols, summed over rows: the kept axes are dense in the output, cols innermost.
  const blocked = dims.length === 3 && out.strides[1] === dims[2];
  if (
    (dims.length === 2 || blocked) &&
    out.strides[0] === 0 &&
    out.strides[dims.length - 1] === 1 &&
    src.strides[dims.length - 1] === 1 &&
    dims[dims.length - 1]! % 4 === 0
  ) {
    const rows = dims[0]!;
    const cols = dims[dims.length - 1]!;
    const rowStride = src.strides[0]!;
    const [blocks, blockStride] = blocked ? [dims[1]!, src.strides[1]!] : [1, 0];
    // Threads split the blocks, or the groups of columns: each output element keeps its summation order.
    const width = columnWidth(cols);
    const split =
      blocks > 1 ? { units: blocks, unitStrides: [cols, blockStride], work: n / 4 } : { units: cols / width, unitStrides: [width, width], work: n / 4 };
    return kernel(
      `columns ${rows} ${blocks} ${cols} ${rowStride} ${blockStride}`,
      (name) => columnFunction(name, { rows, cols, rowStride, blocks, blockStride }, divisor),
      `column sums of ${rows}×${blocks}×${cols} (strides ${rowStride}, ${blockStride}, 1)`,
      split,
    );
  }
  return undefined;
}
