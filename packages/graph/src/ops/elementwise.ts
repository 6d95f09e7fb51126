/**
 * Shared machinery for elementwise ops: the broadcasting shape rule, the generic broadcasting
 * kernel, and `defineElementwise`, which defines an op from its scalar function and its VJP.
 */
import { fail } from '../ir/errors.js';
import type { ValueType } from '../ir/node.js';
import { broadcastShapes, sameShape, sizeOf, stridesOf, type Shape } from '../ir/shape.js';
import { defineOp, type KernelArgs, type Op, type OpAttrs, type OpDef, type Vjp } from './registry.js';
import type { Tensor } from '../trace/tensor.js';

/** For each element of `outShape`, the flat index of the element of `inShape` it broadcasts from. */
export function broadcastIndex(inShape: Shape, outShape: Shape): Int32Array {
  const n = sizeOf(outShape);
  const idx = new Int32Array(n);
  const rank = outShape.length;
  const inStrides = stridesOf(inShape);
  const aligned = new Array<number>(rank).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const j = rank - inShape.length + i;
    aligned[j] = inShape[i] === 1 ? 0 : inStrides[i]!;
  }
  const counter = new Array<number>(rank).fill(0);
  let offset = 0;
  for (let k = 0; k < n; k++) {
    idx[k] = offset;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]!++;
      offset += aligned[d]!;
      if (counter[d]! < outShape[d]!) break;
      offset -= aligned[d]! * counter[d]!;
      counter[d] = 0;
    }
  }
  return idx;
}

/** Shape rule of an elementwise op: the numpy broadcast of its inputs. */
export function elementwiseType(op: string) {
  return (inputs: readonly ValueType[]): ValueType => ({
    dtype: inputs[0]!.dtype,
    shape:
      inputs.length === 1
        ? inputs[0]!.shape
        : broadcastShapes(
            op,
            inputs.map((t) => t.shape),
          ),
  });
}

/** A kernel applying `fn` elementwise with broadcasting. */
export function elementwiseKernel(fn: (...xs: number[]) => number) {
  return ({ inputs, out }: KernelArgs): void => {
    const o = out.data;
    const n = o.length;
    const arrays = inputs.map((t) => t.data);
    const direct = inputs.every((t) => sameShape(t.shape, out.shape));
    if (inputs.length === 1 && direct) {
      const a = arrays[0]!;
      for (let i = 0; i < n; i++) o[i] = fn(a[i]!);
      return;
    }
    if (inputs.length === 2 && direct) {
      const a = arrays[0]!;
      const b = arrays[1]!;
      for (let i = 0; i < n; i++) o[i] = fn(a[i]!, b[i]!);
      return;
    }
    const maps = inputs.map((t) => (sameShape(t.shape, out.shape) ? undefined : broadcastIndex(t.shape, out.shape)));
    const args = new Array<number>(inputs.length);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < arrays.length; k++) {
        const m = maps[k];
        args[k] = arrays[k]![m ? m[i]! : i]!;
      }
      o[i] = fn(...args);
    }
  };
}

/** `N` tensors-or-numbers (any number when `N` is not a literal). */
type Operands<N extends number, R extends readonly (Tensor | number)[] = []> = number extends N
  ? readonly (Tensor | number)[]
  : R['length'] extends N
    ? R
    : Operands<N, readonly [...R, Tensor | number]>;

/** The call signature of an elementwise op of arity `N`: its operands, then optional attributes. */
export type ElementwiseOp<N extends number = number> = Op<readonly [...Operands<N>, OpAttrs?]>;

/** Options of `defineElementwise`. */
export interface ElementwiseDef<N extends number = number> {
  readonly name: string;
  readonly arity: N;
  readonly doc?: string;
  /** The scalar function. */
  readonly fn: (...xs: number[]) => number;
  /** The VJP; omit for ops that cannot be differentiated. */
  readonly vjp?: Vjp;
  /** See `OpDef.forwardForm` (only for a VJP that is not linear in the cotangent). */
  readonly forwardForm?: OpDef['forwardForm'];
  /** Validates the attributes (see `OpDef.checkAttrs`). */
  readonly checkAttrs?: OpDef['checkAttrs'];
  readonly testDomain?: OpDef['testDomain'];
  readonly piecewiseConstant?: boolean;
}

/**
 * Define an elementwise (broadcasting) op from its scalar function and VJP; returns it as a function.
 * @example
 * const softsign = defineElementwise({ name: 'softsign', arity: 1, fn: (x) => x / (1 + Math.abs(x)),
 *   vjp: ({ inputs: [x], grad }) => [grad.div(x!.abs().add(1).square())] });
 * const y = softsign(x); // softsign.opName === 'softsign'
 */
export function defineElementwise<N extends number>(def: ElementwiseDef<N>): ElementwiseOp<N> {
  const op: OpDef = {
    name: def.name,
    arity: def.arity,
    type: elementwiseType(def.name),
    kernel: elementwiseKernel(def.fn),
    scalar: def.fn,
    ...(def.doc !== undefined ? { doc: def.doc } : {}),
    ...(def.vjp ? { vjp: def.vjp } : {}),
    ...(def.forwardForm ? { forwardForm: def.forwardForm } : {}),
    ...(def.checkAttrs ? { checkAttrs: def.checkAttrs } : {}),
    ...(def.testDomain ? { testDomain: def.testDomain } : {}),
    ...(def.piecewiseConstant ? { piecewiseConstant: true } : {}),
  };
  return defineOp<readonly [...Operands<N>, OpAttrs?]>(op);
}

/** Check that attribute `name` is a finite number. */
export function numberAttr(op: string, attrs: Readonly<Record<string, unknown>>, name: string): number {
  const v = attrs[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) fail('graph', `${op}: attribute '${name}' must be a finite number, got ${JSON.stringify(v)}`);
  return v;
}
