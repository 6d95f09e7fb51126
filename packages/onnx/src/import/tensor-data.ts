/**
 * ONNX tensors as numbers: a TensorProto's values (typed fields or raw little-endian bytes, every
 * element type cellgrad can hold as a number) and its shape; element types named for messages.
 */
import { fail } from '@cellgrad/graph';
import { DataType, type TensorProto } from '../proto/messages.js';

/** A tensor's shape, element type and values as plain numbers (booleans as 0/1). */
export interface TensorValue {
  readonly shape: readonly number[];
  readonly elem: number;
  readonly data: ArrayLike<number>;
}

const NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(DataType).map(([k, v]) => [v, k.toLowerCase()]));

/** The ONNX name of an element type (`float`, `int64`, …). */
export const elemName = (elem: number): string => NAMES[elem] ?? `type ${elem}`;

/** True for the element types cellgrad computes in (float, double; float16 and bfloat16 are read as numbers too). */
export const isFloatElem = (elem: number): boolean =>
  elem === DataType.FLOAT || elem === DataType.DOUBLE || elem === DataType.FLOAT16 || elem === DataType.BFLOAT16;

/** True for integer and boolean element types (whose values cellgrad can hold exactly when below 2^53). */
export const isIntElem = (elem: number): boolean =>
  !isFloatElem(elem) && elem !== DataType.STRING && elem !== DataType.COMPLEX64 && elem !== DataType.COMPLEX128;

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * 2 ** -14 * (frac / 1024);
  if (exp === 31) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exp - 15) * (1 + frac / 1024);
}

function fromRaw(raw: Uint8Array, elem: number, count: number, where: string): Float64Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const width: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };
  const w = width[elem];
  if (w === undefined) fail('graph', `${where}: cannot read raw data of element type ${elemName(elem)}`);
  if (raw.byteLength !== w * count) fail('graph', `${where}: raw data has ${raw.byteLength} bytes, expected ${w * count} (${count} × ${elemName(elem)})`);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const o = i * w;
    out[i] =
      elem === DataType.FLOAT
        ? view.getFloat32(o, true)
        : elem === DataType.DOUBLE
          ? view.getFloat64(o, true)
          : elem === DataType.INT64
            ? Number(view.getBigInt64(o, true))
            : elem === DataType.UINT64
              ? Number(view.getBigUint64(o, true))
              : elem === DataType.INT32
                ? view.getInt32(o, true)
                : elem === DataType.UINT32
                  ? view.getUint32(o, true)
                  : elem === DataType.INT16
                    ? view.getInt16(o, true)
                    : elem === DataType.UINT16
                      ? view.getUint16(o, true)
                      : elem === DataType.INT8
                        ? view.getInt8(o)
                        : elem === DataType.FLOAT16
                          ? half(view.getUint16(o, true))
                          : elem === DataType.BFLOAT16
                            ? new Float32Array(new Uint32Array([view.getUint16(o, true) << 16]).buffer)[0]!
                            : view.getUint8(o);
  }
  return out;
}

/**
 * The values of a TensorProto (`where` names it in errors). Strings, complex numbers and external
 * data are graph errors.
 */
export function tensorValue(t: TensorProto, where: string): TensorValue {
  const elem = t.dataType ?? DataType.UNDEFINED;
  const shape = t.dims ?? [];
  const count = shape.reduce((a, d) => a * d, 1);
  if (t.dataLocation === 1) fail('graph', `${where}: tensor data stored in an external file is not supported`);
  if (elem === DataType.STRING || elem === DataType.COMPLEX64 || elem === DataType.COMPLEX128 || elem === DataType.UNDEFINED) {
    fail('graph', `${where}: tensors of element type ${elemName(elem)} are not supported`);
  }
  let data: ArrayLike<number>;
  if (t.rawData && t.rawData.byteLength > 0) data = fromRaw(t.rawData, elem, count, where);
  else if (elem === DataType.FLOAT) data = t.floatData ?? [];
  else if (elem === DataType.DOUBLE) data = t.doubleData ?? [];
  else if (elem === DataType.INT64) data = t.int64Data ?? [];
  else if (elem === DataType.UINT64 || elem === DataType.UINT32) data = t.uint64Data ?? [];
  else if (elem === DataType.FLOAT16) data = (t.int32Data ?? []).map(half);
  else if (elem === DataType.BFLOAT16) data = (t.int32Data ?? []).map((b) => new Float32Array(new Uint32Array([b << 16]).buffer)[0]!);
  else data = t.int32Data ?? [];
  if (data.length !== count) fail('graph', `${where}: ${data.length} values for shape [${shape.join(', ')}] (${count} elements)`);
  return { shape, elem, data };
}
