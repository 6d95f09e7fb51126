/** Static shapes: sizes, strides, numpy-style broadcasting and formatting. */
import { fail } from './errors.js';

/** A static shape; `[]` is a scalar. */
export type Shape = readonly number[];

/** Number of elements of a shape. */
export function sizeOf(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major strides of a shape. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

/** `[2,3]` style text of a shape. */
export function formatShape(shape: Shape): string {
  return `[${shape.join(',')}]`;
}

/** True when two shapes are equal. */
export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The numpy broadcast of several shapes, or `undefined` when they do not broadcast. */
export function tryBroadcast(shapes: readonly Shape[]): number[] | undefined {
  let rank = 0;
  for (const s of shapes) rank = Math.max(rank, s.length);
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = rank - s.length + i;
      const d = s[i]!;
      if (d === out[j] || d === 1) continue;
      if (out[j] === 1) out[j] = d;
      else return undefined;
    }
  }
  return out;
}

/** The numpy broadcast of several shapes; throws a shape error naming `op` and the shapes. */
export function broadcastShapes(op: string, shapes: readonly Shape[]): number[] {
  const out = tryBroadcast(shapes);
  if (!out) fail('shape', `${op}: shapes ${shapes.map(formatShape).join(' and ')} do not broadcast`);
  return out;
}

/** Normalise a possibly negative axis for a tensor of rank `rank`. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    fail('shape', `${op}: axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return a;
}

/** Check that a value is a valid shape (non-negative integers), naming where it came from. */
export function checkShape(value: unknown, where: string): number[] {
  if (!Array.isArray(value) || !value.every((d) => Number.isInteger(d) && d >= 0)) {
    fail('shape', `${where}: ${JSON.stringify(value)} is not a shape (an array of non-negative integers)`);
  }
  return value as number[];
}
