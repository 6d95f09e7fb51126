/**
 * The mapping of cellgrad ops to standard ONNX ops, as data: one entry per op. An entry lowers one
 * cellgrad node, given the ONNX names of its inputs, and returns the ONNX name of its value.
 * Opset notes: ReduceSum takes its axes as an input from opset 13, ReduceMean/ReduceMax from 18
 * (an attribute before); Clip takes min/max as inputs (≥ 11); Softmax is single-axis from 13.
 */
import { registerLowerings, type Node } from '@cellgrad/graph';
import type { Emitter } from './emitter.js';
import { elemType, type OnnxAttr } from './proto.js';

/** Lower one node: `inputs` are the ONNX value names of its inputs; returns its value's name. */
export type Lowering = (e: Emitter, node: Node, inputs: readonly string[]) => string;

/** The same op under its ONNX name, inputs unchanged. */
const direct =
  (opType: string): Lowering =>
  (e, _n, inputs) =>
    e.node(opType, inputs);

/** A bool-valued ONNX op, cast back to the node's float type (1 where true, else 0). */
const toFloat = (e: Emitter, n: Node, bool: string): string => e.node('Cast', [bool], { to: { int: elemType(n.dtype) } });
const compare =
  (opType: string): Lowering =>
  (e, n, inputs) =>
    toFloat(e, n, e.node(opType, inputs));

/** A reduction; axes as an input from `inputSince` on, else as an attribute. No axes: identity. */
const reduce =
  (opType: string, inputSince: number): Lowering =>
  (e, n, [x]) => {
    const axes = n.attrs.axes as number[];
    if (axes.length === 0) return e.node('Identity', [x!]);
    const keepdims = { int: n.attrs.keepDims ? 1 : 0 };
    if (e.opset >= inputSince) return e.node(opType, [x!, e.ints(axes)], { keepdims });
    return e.node(opType, [x!], { axes: { ints: axes }, keepdims });
  };

/** Mean over the last axis, kept (ReduceMean takes its axes as an input from opset 18). */
const meanLast = (e: Parameters<Lowering>[0], x: string, rank: number): string =>
  e.opset >= 18
    ? e.node('ReduceMean', [x, e.ints([rank - 1])], { keepdims: { int: 1 } })
    : e.node('ReduceMean', [x], { axes: { ints: [rank - 1] }, keepdims: { int: 1 } });

/** Every cellgrad op that has an ONNX form. `input` nodes become graph inputs and are not listed. */
export const ONNX_OPS: Readonly<Record<string, Lowering>> = {
  add: direct('Add'),
  sub: direct('Sub'),
  mul: direct('Mul'),
  div: direct('Div'),
  pow: direct('Pow'),
  neg: direct('Neg'),
  exp: direct('Exp'),
  log: direct('Log'),
  sqrt: direct('Sqrt'),
  abs: direct('Abs'),
  sign: direct('Sign'),
  tanh: direct('Tanh'),
  sigmoid: direct('Sigmoid'),
  relu: direct('Relu'),
  // ORT has Softplus and HardSigmoid in float32 only: float64 graphs get the stable composite forms.
  softplus: (e, n, [x]) => {
    if (n.dtype === 'float32') return e.node('Softplus', [x!]);
    const tail = e.node('Log', [e.node('Add', [e.scalar(1, n.dtype), e.node('Exp', [e.node('Neg', [e.node('Abs', [x!])])])])]);
    return e.node('Add', [e.node('Relu', [x!]), tail]);
  },
  square: (e, _n, [x]) => e.node('Mul', [x!, x!]),
  maximum: direct('Max'),
  minimum: direct('Min'),
  clamp: (e, n, [x]) => e.node('Clip', [x!, e.scalar(n.attrs.min as number, n.dtype), e.scalar(n.attrs.max as number, n.dtype)]),
  hard_sigmoid: (e, n, [x]) => {
    const slope = n.attrs.slope as number;
    if (n.dtype === 'float32') return e.node('HardSigmoid', [x!], { alpha: { float: slope }, beta: { float: 0.5 } });
    const affine = e.node('Add', [e.node('Mul', [x!, e.scalar(slope, n.dtype)]), e.scalar(0.5, n.dtype)]);
    return e.node('Clip', [affine, e.scalar(0, n.dtype), e.scalar(1, n.dtype)]);
  },
  // Forward pass of Graves clipping is the identity; the bound only matters to the VJP.
  clip_grad: (e, _n, [x]) => e.node('Identity', [x!]),
  // Heaviside step forward (its straight-through VJP only matters to the gradient graph).
  step_ste: (e, n, [x]) => toFloat(e, n, e.node('Greater', [x!, e.scalar(0, n.dtype)])),
  greater: compare('Greater'),
  greater_equal: compare('GreaterOrEqual'),
  less: compare('Less'),
  less_equal: compare('LessOrEqual'),
  equal: compare('Equal'),
  not_equal: (e, n, inputs) => toFloat(e, n, e.node('Not', [e.node('Equal', inputs)])),
  where: (e, n, [c, a, b]) => {
    const isTrue = e.node('Not', [e.node('Equal', [c!, e.scalar(0, e.dtypeOf(n.inputs[0]!))])]);
    return e.node('Where', [isTrue, a!, b!]);
  },
  matmul: direct('MatMul'),
  transpose: (e, n, [x]) => e.node('Transpose', [x!], { perm: { ints: n.attrs.perm as number[] } }),
  reshape: (e, n, [x]) => {
    const shape = n.attrs.shape as number[];
    // A 0 in the shape means "copy that dimension" unless allowzero=1 (opset 14+).
    const allow: Record<string, OnnxAttr> = shape.includes(0) && e.opset >= 14 ? { allowzero: { int: 1 } } : {};
    return e.node('Reshape', [x!, e.ints(shape)], allow);
  },
  broadcast_to: (e, n, [x]) => e.node('Expand', [x!, e.ints(n.attrs.shape as number[])]),
  concat: (e, n, inputs) => e.node('Concat', inputs, { axis: { int: n.attrs.axis as number } }),
  slice: (e, n, [x]) => {
    const { axis, start, end } = n.attrs as { axis: number; start: number; end: number };
    return e.node('Slice', [x!, e.ints([start]), e.ints([end]), e.ints([axis])]);
  },
  pad: (e, n, [x]) => {
    const { axis, before, after } = n.attrs as { axis: number; before: number; after: number };
    const rank = n.shape.length;
    const pads = new Array<number>(2 * rank).fill(0);
    pads[axis] = before;
    pads[rank + axis] = after;
    return e.node('Pad', [x!, e.ints(pads)], { mode: { string: 'constant' } });
  },
  sum: reduce('ReduceSum', 13),
  mean: reduce('ReduceMean', 18),
  max: reduce('ReduceMax', 18),
  // Two passes, as the kernels: the mean, then the mean of squared deviations from it.
  variance: (e, n, [x]) => {
    const axes = n.attrs.axes as number[];
    const d = e.node('Sub', [
      x!,
      e.opset >= 18
        ? e.node('ReduceMean', [x!, e.ints(axes)], { keepdims: { int: 1 } })
        : e.node('ReduceMean', [x!], { axes: { ints: axes }, keepdims: { int: 1 } }),
    ]);
    return reduce('ReduceMean', 18)(e, n, [e.node('Mul', [d, d])]);
  },
  layer_norm: (e, n, [x]) => {
    const rank = n.shape.length;
    const d = e.node('Sub', [x!, meanLast(e, x!, rank)]);
    const v = meanLast(e, e.node('Mul', [d, d]), rank);
    return e.node('Div', [d, e.node('Sqrt', [e.node('Add', [v, e.scalar(n.attrs.eps as number, n.dtype)])])]);
  },
  softmax: (e, n, [x]) => e.node('Softmax', [x!], { axis: { int: n.attrs.axis as number } }),
  log_softmax: (e, n, [x]) => e.node('LogSoftmax', [x!], { axis: { int: n.attrs.axis as number } }),
  constant: (e, n) => e.floats('constant', n.dtype, n.shape, n.attrs.data as number[]),
  fill: (e, n) => {
    const value = e.scalar(n.attrs.value as number, n.dtype);
    return n.shape.length === 0 ? value : e.node('Expand', [value, e.ints(n.shape)]);
  },
};

// The graph-side lowering table lists these ops as having an ONNX mapping once this package is loaded.
registerLowerings('onnx', '@cellgrad/onnx op-table.ts', Object.keys(ONNX_OPS));
