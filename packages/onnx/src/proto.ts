/**
 * Small constructors for the ONNX messages cellgrad writes (messages in proto/messages.ts, their
 * wire form in proto/encode.ts and proto/decode.ts): tensors as raw little-endian bytes,
 * attributes, typed value infos.
 */
import type { DType } from '@cellgrad/graph';
import { AttributeType, type AttributeProto, type TensorProto, type ValueInfoProto } from './proto/messages.js';

/** ONNX element types cellgrad writes. */
export const ELEM = { float: 1, int32: 6, int64: 7, bool: 9, double: 11 } as const;

/** The ONNX element type of a cellgrad dtype. */
export function elemType(dtype: DType): number {
  return dtype === 'float64' ? ELEM.double : ELEM.float;
}

/** A tensor of floats (float32 or float64, as `dtype` says) stored as raw bytes. */
export function floatTensor(name: string, dtype: DType, dims: readonly number[], values: ArrayLike<number>): TensorProto {
  const data = dtype === 'float64' ? Float64Array.from(values) : Float32Array.from(values);
  return {
    name,
    dims: [...dims],
    dataType: elemType(dtype),
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

/** A tensor of 64-bit integers (shapes, axes, pads, slice bounds), stored as raw bytes. */
export function int64Tensor(name: string, values: readonly number[], dims: readonly number[] = [values.length]): TensorProto {
  const data = BigInt64Array.from(values.map((v) => BigInt(v)));
  return {
    name,
    dims: [...dims],
    dataType: ELEM.int64,
    rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  };
}

/** An attribute value: an int, a float, a list of ints, or a string. */
export type OnnxAttr = { readonly int: number } | { readonly float: number } | { readonly ints: readonly number[] } | { readonly string: string };

/** An AttributeProto from a name and a typed value. */
export function attribute(name: string, value: OnnxAttr): AttributeProto {
  const T = AttributeType;
  if ('int' in value) return { name, type: T.INT, i: value.int };
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  if ('ints' in value) return { name, type: T.INTS, ints: [...value.ints] };
  return { name, type: T.STRING, s: new TextEncoder().encode(value.string) };
}

/**
 * A ValueInfoProto: a named tensor of the given element type and shape; a dimension given as a
 * string is symbolic (its size fixed only when the model runs).
 */
export function valueInfo(name: string, elem: number, shape: readonly (number | string)[]): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: { elemType: elem, shape: { dim: shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } },
    },
  };
}
