/**
 * The mapping table op by op: a one-node graph per case (every entry of ONNX_OPS whose op is
 * registered, with broadcasting, ties and zeros in the values) gives the interpreter's float32
 * values on ONNX Runtime at opsets 13, 17, 18 and 21, and its float64 values (opset 17). Also: names, opset and IR version in the
 * model, reduction axes as attribute (< 18) or input (≥ 18), inputs stored as initializers, and the
 * errors (unmapped op, clashing names, bad opset, bad initializers).
 */
import { describe, expect, it } from 'vitest';
import {
  GraphBuilder,
  interpret,
  defineOp,
  elementwiseKernel,
  elementwiseType,
  getOp,
  hasOp,
  isCellgradError,
  type AttrValue,
  type Graph,
  type NDArray,
  ops,
} from '@cellgrad/graph';
import { ONNX_OPS, buildOnnxModel, fromOrtTensor, isExportable, decodeModel, openSession, toOnnx, toOrtTensor } from '@cellgrad/onnx';
import { Rng } from '../support/fc.js';
import { F32_TOL, F64_TOL, ortVsInterpret, worstError } from './helpers.js';

interface Case {
  readonly op: string;
  readonly shapes: readonly (readonly number[])[];
  readonly attrs?: Record<string, AttrValue>;
  readonly label?: string;
}

const u = (op: string): Case => ({ op, shapes: [[2, 3]] });
const bin = (op: string): Case => ({ op, shapes: [[2, 3], [3]] });
const CASES: readonly Case[] = [
  ...['neg', 'exp', 'log', 'sqrt', 'abs', 'sign', 'tanh', 'sigmoid', 'relu', 'softplus', 'square'].map(u),
  ...['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'greater', 'greater_equal', 'less', 'less_equal', 'equal', 'not_equal'].map(bin),
  { op: 'step_ste', shapes: [[2, 3]], attrs: { surrogate: 'identity' } },
  { op: 'clamp', shapes: [[2, 3]], attrs: { min: -0.5, max: 0.7 } },
  { op: 'variance', shapes: [[2, 3]], attrs: { axes: [1], keepDims: false } },
  { op: 'variance', shapes: [[2, 3]], attrs: { axes: [0, 1], keepDims: true }, label: 'all axes' },
  { op: 'layer_norm', shapes: [[2, 3]], attrs: { eps: 1e-5 } },
  { op: 'hard_sigmoid', shapes: [[2, 3]], attrs: { slope: 0.2 }, label: 'keras' },
  { op: 'hard_sigmoid', shapes: [[2, 3]], attrs: { slope: 1 / 6 }, label: 'torch' },
  { op: 'clip_grad', shapes: [[2, 3], []] },
  { op: 'where', shapes: [[2, 3], [2, 3], [3]] },
  {
    op: 'matmul',
    shapes: [
      [2, 2, 3],
      [3, 4],
    ],
  },
  {
    op: 'matmul',
    shapes: [
      [1, 3],
      [2, 3, 2],
    ],
    label: 'batch broadcast',
  },
  { op: 'transpose', shapes: [[2, 3, 4]], attrs: { perm: [1, 0, 2] } },
  { op: 'reshape', shapes: [[2, 3, 4]], attrs: { shape: [6, 4] } },
  { op: 'broadcast_to', shapes: [[3, 1]], attrs: { shape: [2, 3, 4] } },
  {
    op: 'concat',
    shapes: [
      [2, 3],
      [2, 2],
      [2, 1],
    ],
    attrs: { axis: 1 },
  },
  { op: 'slice', shapes: [[2, 4]], attrs: { axis: 1, start: 1, end: 3 } },
  { op: 'pad', shapes: [[2, 3]], attrs: { axis: 0, before: 1, after: 2 } },
  ...(['sum', 'mean', 'max'] as const).flatMap((op): Case[] => [
    { op, shapes: [[2, 3, 4]], attrs: { axes: [0, 2], keepDims: false } },
    { op, shapes: [[2, 3, 4]], attrs: { axes: [1], keepDims: true }, label: 'keepDims' },
    { op, shapes: [[2, 3]], attrs: { axes: [], keepDims: false }, label: 'no axes' },
  ]),
  { op: 'softmax', shapes: [[2, 3, 2]], attrs: { axis: 1 } },
  { op: 'log_softmax', shapes: [[2, 3]], attrs: { axis: 1 } },
];

/** Values on a 0.25 grid inside the op's test domain: ties, zeros and exact comparisons happen. */
function feedsFor(g: Graph, op: string, seed: number): Record<string, NDArray> {
  const rng = new Rng(seed);
  const domain = getOp(op).testDomain;
  const feeds: Record<string, NDArray> = {};
  g.inputs.forEach((p, k) => {
    const shape = g.nodes[p.id]!.shape;
    const [lo, hi] = domain?.[k] ?? [-2, 2];
    const n = shape.reduce((a, d) => a * d, 1);
    const data = Float32Array.from({ length: n }, () => Math.max(lo, Math.min(hi, Math.round(rng.uniform(lo, hi) * 4) / 4)));
    feeds[p.name] = { shape: [...shape], data };
  });
  return feeds;
}

function oneOpGraph(c: Case): Graph {
  const b = new GraphBuilder('float32');
  const xs = c.shapes.map((s, k) => b.input(`x${k}`, s));
  const y = b.apply(c.op, xs, c.attrs ?? {});
  // A constant and a fill beside the op, so sources are lowered too.
  return b.build({ y, shifted: y.add(b.constant([0.5, -1, 2], [3]).reshape([3]).mean()).add(b.fill(0.25, y.shape)) });
}

describe('every mapped op runs on ONNX Runtime as in the interpreter (float32)', () => {
  const covered = new Set(CASES.map((c) => c.op));
  it('the cases cover every entry of the table', () => {
    expect(Object.keys(ONNX_OPS).filter((op) => !covered.has(op) && !['constant', 'fill'].includes(op))).toEqual([]);
  });
  for (const c of CASES) {
    it.runIf(hasOp(c.op))(`${c.op}${c.label ? ` (${c.label})` : ''}`, async () => {
      const g = oneOpGraph(c);
      expect(g.nodes.some((n) => n.op === c.op)).toBe(true);
      for (const [k, opset] of [13, 17, 18, 21].entries()) {
        const { name, error } = await ortVsInterpret(g, feedsFor(g, c.op, k + 1), { opset });
        expect(error, `opset ${opset}, output ${name}`).toBeLessThanOrEqual(F32_TOL);
      }
      const { name, error } = await ortVsInterpret(g, feedsFor(g, c.op, 9), { dtype: 'float64' });
      expect(error, `float64, output ${name}`).toBeLessThanOrEqual(F64_TOL);
    });
  }
});

describe('the exported model', () => {
  const b = new GraphBuilder('float32');
  const W = b.input('weight:ih', [4, 3]);
  const x = b.input('x', [2, 3]);
  const h = x.matmul(W.T).tanh();
  const g = b.build({ out: h, 'mean:out': h.mean([1]), x_again: x });

  it('keeps input and output names and static shapes; states opset and IR version', () => {
    const m = decodeModel(toOnnx(g, { opset: 17 }));
    expect(m.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([['', 17]]);
    expect(Number(m.irVersion)).toBe(8);
    expect(m.graph!.input!.map((i) => i.name)).toEqual(['weight:ih', 'x']);
    expect(m.graph!.output!.map((o) => o.name)).toEqual(['out', 'mean:out', 'x_again']);
    const dims = m.graph!.output![1]!.type!.tensorType!.shape!.dim!.map((d) => Number(d.dimValue));
    expect(dims).toEqual([2]);
    expect(m.graph!.node!.map((n) => n.opType)).toEqual(['Transpose', 'MatMul', 'Tanh', 'ReduceMean', 'Identity', 'Identity', 'Identity']);
  });

  it('reduction axes: an attribute before opset 18, an input from 18 (ReduceSum from 13)', () => {
    const reduceNode = (opset: number) => buildOnnxModel(g, { opset }).graph!.node!.find((n) => n.opType === 'ReduceMean')!;
    expect(reduceNode(17).attribute!.map((a) => a.name)).toEqual(['axes', 'keepdims']);
    expect(reduceNode(17).input).toHaveLength(1);
    expect(reduceNode(18).attribute!.map((a) => a.name)).toEqual(['keepdims']);
    expect(reduceNode(18).input).toHaveLength(2);
    const sb = new GraphBuilder('float32');
    const sum = buildOnnxModel(sb.build({ s: sb.input('a', [2]).sum() }), { opset: 13 });
    expect(sum.graph!.node![0]!.input).toHaveLength(2);
  });

  it('{ initializers } stores inputs (trained weights) in the model; the rest are still fed', async () => {
    const feeds = {
      'weight:ih': { shape: [4, 3], data: Float32Array.from({ length: 12 }, (_, i) => (i - 6) / 7) },
      x: { shape: [2, 3], data: Float32Array.of(1, -2, 0.5, 0.25, 3, -1) },
    };
    const bytes = toOnnx(g, { initializers: { 'weight:ih': feeds['weight:ih'] } });
    const m = decodeModel(bytes);
    expect(m.graph!.input!.map((i) => i.name)).toEqual(['x']);
    const session = await openSession(bytes);
    const result = await session.run({ x: toOrtTensor(feeds.x, 'float32') });
    await session.release();
    const got = Object.fromEntries(Object.keys(result).map((k) => [k, fromOrtTensor(result[k]!, k)]));
    expect(worstError(got, interpret(g, feeds)).error).toBeLessThanOrEqual(F32_TOL);
  });

  it('float64 graphs export DOUBLE tensors; { dtype } casts', () => {
    const elem = (m: ReturnType<typeof buildOnnxModel>) => m.graph!.input![0]!.type!.tensorType!.elemType;
    expect(elem(buildOnnxModel(g))).toBe(1);
    expect(elem(buildOnnxModel(g, { dtype: 'float64' }))).toBe(11);
  });
});

describe('errors', () => {
  const message = (f: () => unknown, kind: 'graph' | 'usage'): string => {
    try {
      f();
    } catch (e) {
      expect(isCellgradError(e, kind), String(e)).toBe(true);
      return (e as Error).message;
    }
    throw new Error('expected an error');
  };

  it('an op without an ONNX mapping (a user op) is a graph error naming the op and the node', () => {
    const cube = hasOp('onnx_test_cube')
      ? undefined
      : defineOp({ name: 'onnx_test_cube', arity: 1, type: elementwiseType('onnx_test_cube'), kernel: elementwiseKernel((v) => v * v * v) });
    const b = new GraphBuilder('float32');
    const x = b.input('x', [3]).tanh();
    const y = cube ? cube(x) : b.apply('onnx_test_cube', [x]);
    const g = b.build({ y });
    const id = g.nodes.find((n) => n.op === 'onnx_test_cube')!.id;
    expect(isExportable(g)).toBe(false);
    expect(isExportable(b.build({ t: b.tensor(id - 1) }))).toBe(true);
    expect(message(() => toOnnx(g), 'graph')).toMatch(new RegExp(`^toOnnx: op 'onnx_test_cube' \\(node %${id}\\) has no ONNX mapping; ops with one: .*matmul`));
  });

  it('random_uniform (Philox, whose values ONNX RandomUniform cannot reproduce) is refused by name', () => {
    const b = new GraphBuilder('float32');
    const g = b.build({ u: ops.randomUniform(b.input('key', [4]), { shape: [2, 3], stream: 0 }) });
    expect(isExportable(g)).toBe(false);
    expect(message(() => toOnnx(g), 'graph')).toMatch(/^toOnnx: op 'random_uniform' \(node %1\) has no ONNX mapping/);
  });

  it('an output named like an input, and an unsupported opset, are usage errors', () => {
    const b = new GraphBuilder('float32');
    const x = b.input('x', [2]);
    b.input('y', [2]);
    expect(message(() => toOnnx(b.build({ y: x.neg() })), 'usage')).toMatch(/output 'y' has the name of an input/);
    const g = new GraphBuilder('float32');
    const ok = g.build({ z: g.input('x', [2]).neg() });
    expect(message(() => toOnnx(ok, { opset: 12 }), 'usage')).toMatch(/opset must be an integer from 13 to 21, got 12/);
    expect(message(() => toOnnx(ok, { opset: 17.5 }), 'usage')).toMatch(/opset must be an integer/);
    const w = { shape: [3], data: new Float32Array(3) };
    expect(message(() => toOnnx(ok, { initializers: { W: w } }), 'usage')).toMatch(/initializer 'W' names no input of the graph \(inputs: x\)/);
    expect(message(() => toOnnx(ok, { initializers: { x: w } }), 'usage')).toMatch(/initializer 'x' has shape \[3\], but the input is \[2\]/);
  });
});
