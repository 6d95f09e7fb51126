/**
 * Importers of ONNX's layout ops (Reshape, Flatten, Transpose, Squeeze/Unsqueeze, Concat, Split,
 * Slice, Gather with constant indices, Expand, Tile, Pad with zeros) and the value ops (Constant,
 * Shape, Size, Cast, Dropout at inference). Shapes, axes and indices must be known at import time.
 */
import { sizeOf, type Tensor } from '@cellgrad/graph';
import { DataType } from '../proto/messages.js';
import { axisOf, knownValue, type NodeView, type OpImporter, type Produced } from './context.js';
import { isFloatElem } from './tensor-data.js';

/** The axes of an op that takes them as an attribute before `inputSince` and as input 1 from then on. */
export function axesArg(n: NodeView, inputSince: number, index = 1): number[] | undefined {
  return n.opset >= inputSince ? n.ints(index) : n.intList('axes');
}

/** Elements picked one by one along `axis` (ascending runs become single slices). */
function pick(x: Tensor, axis: number, indices: readonly number[]): Tensor {
  const parts: Tensor[] = [];
  let k = 0;
  while (k < indices.length) {
    let e = k + 1;
    while (e < indices.length && indices[e] === indices[e - 1]! + 1) e++;
    parts.push(x.slice(axis, indices[k]!, indices[e - 1]! + 1));
    k = e;
  }
  return parts.length === 1 ? parts[0]! : x.builder.apply('concat', parts, { axis });
}

function reshape(n: NodeView, x: Tensor, spec: readonly number[], allowZero: boolean): Tensor {
  const shape = spec.map((d, i) => (d === 0 && !allowZero ? x.shape[i]! : d));
  const infer = shape.indexOf(-1);
  if (infer >= 0) {
    const rest = sizeOf(shape.filter((_, i) => i !== infer));
    shape[infer] = rest === 0 ? 0 : sizeOf(x.shape) / rest;
  }
  if (sizeOf(shape) !== sizeOf(x.shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    n.unsupported(`cannot reshape [${x.shape.join(', ')}] to [${spec.join(', ')}]`);
  }
  return x.reshape(shape);
}

const squeeze: OpImporter = (n) => {
  const x = n.tensor(0);
  const axes = (axesArg(n, 13) ?? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => axisOf(n, a, x.rank));
  return [x.reshape(x.shape.filter((_, i) => !axes.includes(i)))];
};

const unsqueeze: OpImporter = (n) => {
  const x = n.tensor(0);
  const axes = axesArg(n, 13) ?? n.unsupported('needs axes');
  const rank = x.rank + axes.length;
  const norm = axes.map((a) => axisOf(n, a, rank));
  const shape: number[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) shape.push(norm.includes(i) ? 1 : x.shape[k++]!);
  return [x.reshape(shape)];
};

const slice: OpImporter = (n) => {
  let x = n.tensor(0);
  const starts = n.opset >= 10 ? n.ints(1)! : n.intList('starts')!;
  const ends = n.opset >= 10 ? n.ints(2)! : n.intList('ends')!;
  const axes = (n.opset >= 10 ? n.ints(3) : n.intList('axes')) ?? starts.map((_, i) => i);
  const steps = (n.opset >= 10 ? n.ints(4) : undefined) ?? starts.map(() => 1);
  axes.forEach((a, k) => {
    const axis = axisOf(n, a, x.rank);
    const dim = x.shape[axis]!;
    const step = steps[k]!;
    if (step === 0) n.unsupported('slice step 0');
    const clampIndex = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v < 0 ? v + dim : v));
    const idx: number[] = [];
    if (step > 0) {
      const s = clampIndex(starts[k]!, 0, dim);
      const e = clampIndex(ends[k]!, 0, dim);
      for (let i = s; i < e; i += step) idx.push(i);
    } else {
      const s = clampIndex(starts[k]!, -1, dim - 1);
      const e = clampIndex(ends[k]!, -1, dim - 1);
      for (let i = s; i > e; i += step) idx.push(i);
    }
    if (idx.length === 0) n.unsupported('an empty slice (cellgrad tensors have no zero-size axes)');
    x = step === 1 ? x.slice(axis, idx[0]!, idx[idx.length - 1]! + 1) : pick(x, axis, idx);
  });
  return [x];
};

const gather: OpImporter = (n) => {
  const x = n.tensor(0);
  const axis = axisOf(n, n.int('axis', 0), x.rank);
  const ind = n.known(1)!;
  const dim = x.shape[axis]!;
  const idx = Array.from(ind.data, (i) => (i < 0 ? i + dim : i));
  if (idx.some((i) => i < 0 || i >= dim)) n.unsupported(`an index is out of range for axis ${axis} of size ${dim}`);
  if (idx.length === 0) n.unsupported('no indices');
  const picked = pick(x, axis, idx);
  const shape = [...x.shape.slice(0, axis), ...ind.shape, ...x.shape.slice(axis + 1)];
  return [picked.reshape(shape)];
};

/** Elements of `x` at flat positions `flat`, as a tensor of `shape`: a constant one-hot matrix times x (differentiable). */
function gatherFlat(n: NodeView, x: Tensor, flat: readonly number[], shape: readonly number[]): Tensor {
  const size = sizeOf(x.shape);
  if (flat.length * size > 1e7) n.unsupported(`a gather of ${flat.length} elements from ${size} (the one-hot matrix would be too large)`);
  const onehot = new Array<number>(flat.length * size).fill(0);
  flat.forEach((f, i) => {
    onehot[i * size + f] = 1;
  });
  return n.b
    .constant(onehot, [flat.length, size], x.dtype)
    .matmul(x.reshape([size, 1]))
    .reshape([...shape]);
}

const gatherElements: OpImporter = (n) => {
  const x = n.tensor(0);
  const axis = axisOf(n, n.int('axis', 0), x.rank);
  const ind = n.known(1)!;
  if (ind.shape.length !== x.rank) n.unsupported('indices must have the rank of the data');
  const strides = x.shape.map((_, i) => sizeOf(x.shape.slice(i + 1)));
  const dim = x.shape[axis]!;
  const flat: number[] = [];
  const pos = new Array<number>(x.rank).fill(0);
  for (let k = 0; k < ind.data.length; k++) {
    let at = 0;
    for (let d = 0; d < x.rank; d++) {
      let v = d === axis ? ind.data[k]! : pos[d]!;
      if (d === axis && v < 0) v += dim;
      if (v < 0 || v >= x.shape[d]!) n.unsupported(`index ${ind.data[k]} is out of range for axis ${axis} of size ${dim}`);
      at += v * strides[d]!;
    }
    flat.push(at);
    for (let d = x.rank - 1; d >= 0; d--) {
      if (++pos[d]! < ind.shape[d]!) break;
      pos[d] = 0;
    }
  }
  return [gatherFlat(n, x, flat, ind.shape)];
};

const split: OpImporter = (n) => {
  const x = n.tensor(0);
  const axis = axisOf(n, n.int('axis', 0), x.rank);
  const count = n.node.output?.length ?? 1;
  const dim = x.shape[axis]!;
  let sizes = n.opset >= 13 ? n.ints(1) : n.intList('split');
  if (!sizes) {
    const parts = n.int('num_outputs', count);
    const each = Math.ceil(dim / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.min(each, dim - i * each));
  }
  let at = 0;
  return sizes.map((s) => {
    const part = x.slice(axis, at, at + s);
    at += s;
    return part;
  });
};

const expand: OpImporter = (n) => {
  const x = n.tensor(0);
  const spec = n.ints(1)!;
  const rank = Math.max(spec.length, x.rank);
  const a = [...new Array(rank - x.rank).fill(1), ...x.shape];
  const b = [...new Array(rank - spec.length).fill(1), ...spec];
  const shape = a.map((d, i) => (d === 1 ? b[i]! : d));
  return [x.reshape(a).broadcastTo(shape)];
};

const tile: OpImporter = (n) => {
  let x = n.tensor(0);
  const reps = n.ints(1)!;
  reps.forEach((r, axis) => {
    if (r > 1) x = x.builder.apply('concat', new Array(r).fill(x), { axis });
  });
  return [x];
};

const pad: OpImporter = (n) => {
  let x = n.tensor(0);
  const mode = n.string('mode', 'constant');
  if (mode !== 'constant') n.unsupported(`pad mode '${mode}' (only constant zero padding)`);
  const pads = n.opset >= 11 ? n.ints(1)! : n.intList('pads')!;
  const value = n.opset >= 11 ? (n.ints(2)?.[0] ?? 0) : n.float('value', 0);
  if (value !== 0) n.unsupported(`padding with ${value} (only zero padding)`);
  const axes = (n.opset >= 18 ? n.ints(3) : undefined) ?? x.shape.map((_, i) => i);
  axes.forEach((a, k) => {
    const before = pads[k]!;
    const after = pads[k + axes.length]!;
    if (before < 0 || after < 0) n.unsupported('negative pads (cropping)');
    if (before > 0 || after > 0) x = x.pad(axisOf(n, a, x.rank), before, after);
  });
  return [x];
};

const constant: OpImporter = (n) => {
  const t = n.tensorAttr('value');
  if (t) return [{ known: t, elem: t.elem }];
  const f = n.float('value_float');
  if (f !== undefined) return [knownValue([f], [], DataType.FLOAT)];
  const fs = n.floatList('value_floats');
  if (fs) return [knownValue(fs, [fs.length], DataType.FLOAT)];
  const i = n.int('value_int');
  if (i !== undefined) return [knownValue([i], [], DataType.INT64)];
  const is = n.intList('value_ints');
  if (is) return [knownValue(is, [is.length], DataType.INT64)];
  return n.unsupported('only value, value_float(s) and value_int(s) constants are supported');
};

const cast: OpImporter = (n) => {
  const to = n.int('to', DataType.FLOAT);
  const v = n.input(0)!;
  const half = [DataType.FLOAT16, DataType.BFLOAT16] as number[];
  if (half.includes(to) || half.includes(v.elem)) n.unsupported('casts to or from 16-bit floats (cellgrad computes in float32 and float64 only)');
  if (v.known) {
    const data = isFloatElem(to)
      ? v.known.data
      : to === DataType.BOOL
        ? Array.from(v.known.data, (d) => (d !== 0 ? 1 : 0))
        : Array.from(v.known.data, Math.trunc);
    return [knownValue(data, v.known.shape, to)];
  }
  if (isFloatElem(to)) return [{ tensor: n.tensor(0), elem: to }];
  if (to === DataType.BOOL) return [{ tensor: n.tensor(0).notEqual(0), elem: to }];
  return n.unsupported(`casting a run-time tensor to ${to} (an integer type): cellgrad graphs compute in floats only`);
};

function shapeOf(n: NodeView): readonly number[] {
  const v = n.input(0)!;
  return v.known ? v.known.shape : v.tensor!.shape;
}

/** The layout and value ONNX ops, by op type. */
export const LAYOUT_IMPORTERS: Readonly<Record<string, OpImporter>> = {
  Reshape: (n) => [reshape(n, n.tensor(0), n.opset >= 5 ? n.ints(1)! : n.intList('shape')!, n.int('allowzero', 0) === 1)],
  Flatten: (n) => {
    const x = n.tensor(0);
    const axis = n.int('axis', 1);
    const a = axis < 0 ? axis + x.rank : axis;
    return [x.reshape([sizeOf(x.shape.slice(0, a)), sizeOf(x.shape.slice(a))])];
  },
  Transpose: (n) => {
    const x = n.tensor(0);
    return [x.transpose(n.intList('perm') ?? x.shape.map((_, i) => x.rank - 1 - i))];
  },
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: (n) => {
    const ts = n.tensors();
    const axis = axisOf(n, n.int('axis', 0), ts[0]!.rank);
    return [ts.length === 1 ? ts[0]! : n.b.apply('concat', ts, { axis })];
  },
  Split: split,
  Slice: slice,
  Gather: gather,
  GatherElements: gatherElements,
  Expand: expand,
  Tile: tile,
  Pad: pad,
  Constant: constant,
  Cast: cast,
  CastLike: (n) => {
    const v = n.input(0)!;
    const to = n.elemOf(1);
    if (to === DataType.FLOAT16 || to === DataType.BFLOAT16 || v.elem === DataType.FLOAT16 || v.elem === DataType.BFLOAT16) {
      n.unsupported('casts to or from 16-bit floats (cellgrad computes in float32 and float64 only)');
    }
    if (isFloatElem(to) && v.tensor) return [{ tensor: v.tensor, elem: to }];
    return n.unsupported('CastLike to a non-float type');
  },
  Shape: (n) => {
    const shape = shapeOf(n);
    const rank = shape.length;
    const norm = (v: number) => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
    const dims = shape.slice(norm(n.int('start', 0)), norm(n.int('end', rank)));
    return [knownValue(dims, [dims.length], DataType.INT64)];
  },
  ConstantOfShape: (n) => {
    const shape = n.ints(0)!;
    const v = n.tensorAttr('value');
    const value = v ? v.data[0]! : 0;
    return [knownValue(new Array(sizeOf(shape)).fill(value), shape, v?.elem ?? DataType.FLOAT)];
  },
  Size: (n) => [knownValue([sizeOf(shapeOf(n))], [], DataType.INT64)],
  Dropout: (n): Produced[] => {
    if (n.opset >= 12 && n.has(2) && n.ints(2)?.[0]) n.unsupported('training_mode=true (dropout at training time)');
    const x = n.input(0)!;
    const outs: Produced[] = [x];
    if ((n.node.output?.length ?? 1) > 1 && n.node.output![1] !== '') {
      const mask = x.known ? x.known.shape : x.tensor!.shape;
      outs.push(knownValue(new Array(sizeOf(mask)).fill(1), mask, DataType.BOOL));
    }
    return outs;
  },
};
