/**
 * The op registry. An op is defined once, by `defineOp`: its shape rule, its kernel and its VJP
 * together. Ops register at import time; this registry is the only global mutable state.
 */
import { CellgradError, fail } from '../ir/errors.js';
import type { AttrValue, Attrs, ValueType } from '../ir/node.js';
import type { NDArray } from '../ir/ndarray.js';
import type { Tensor } from '../trace/tensor.js';

/** What a kernel receives: input values, the preallocated output, the attributes. */
export interface KernelArgs {
  readonly inputs: readonly NDArray[];
  readonly out: NDArray;
  readonly attrs: Attrs;
}

/** What a VJP receives: symbolic inputs, output and output cotangent, in the gradient graph. */
export interface VjpArgs {
  readonly inputs: readonly Tensor[];
  readonly output: Tensor;
  readonly grad: Tensor;
  readonly attrs: Attrs;
}

/**
 * A VJP returns one cotangent per input: a tensor (of the input's shape, or of the output's shape
 * for broadcasting ops: the autodiff transform sums broadcast axes away), or `null` for "zero".
 */
export type Vjp = (args: VjpArgs) => readonly (Tensor | null)[];

/** The definition of an op. */
export interface OpDef {
  /** Unique name, as printed and serialised. */
  readonly name: string;
  /** Number of inputs, or `'variadic'` (at least one). */
  readonly arity: number | 'variadic';
  /** One line describing the op. */
  readonly doc?: string;
  /** Shape and dtype rule: throws a shape error naming the problem when inputs do not fit. */
  readonly type: (inputs: readonly ValueType[], attrs: Attrs) => ValueType;
  /** Reference kernel: fills `out` from `inputs`. */
  readonly kernel: (args: KernelArgs) => void;
  /** Vector-Jacobian product, in graph ops. Absent: the op cannot be differentiated through. */
  readonly vjp?: Vjp;
  /**
   * Only for ops whose VJP is deliberately not linear in the cotangent (`clip_grad`), or whose VJP
   * graph reads the cotangent through ops forward mode cannot see through (`loop`): the op's value
   * written in other ops (broadcast to the output shape when smaller), which forward mode (`jvp`) differentiates instead, since it derives each
   * op's Jacobian-vector product by transposing the VJP, which is exact only for linear VJPs.
   */
  readonly forwardForm?: (inputs: readonly Tensor[], attrs: Attrs) => Tensor;
  /** For elementwise ops: the scalar function, used by generic kernels and fusion. */
  readonly scalar?: (...xs: number[]) => number;
  /** Validate attributes (throws a graph error naming the attribute). */
  readonly checkAttrs?: (attrs: Attrs) => void;
  /** Domain for random gradient tests: inputs are drawn from here (default [-2, 2]). */
  readonly testDomain?: readonly (readonly [number, number])[];
  /** Output is piecewise constant (compare, sign): its gradient is zero, no VJP check needed. */
  readonly piecewiseConstant?: boolean;
}

const registry = new Map<string, OpDef>();

/** A tensor or a number (lifted to a constant of the other inputs' dtype). */
type TensorOrNumber = Tensor | number;

/** An op's attributes as a call's trailing options object. */
export type OpAttrs = Readonly<Record<string, AttrValue>>;

/**
 * An op as a function, as `defineOp` and `defineElementwise` return it: call it on tensors (numbers
 * lift to constants of the first tensor's dtype), with the op's attributes as a trailing options
 * object. `def` is the registered definition and `opName` its name, for registry users; the function
 * also carries the definition's fields (`name`, `arity`, `vjp`, …), so it still serves as an `OpDef`.
 * @example
 * const cube = defineElementwise({ name: 'cube', arity: 1, fn: (x) => x ** 3,
 *   vjp: ({ inputs: [x], grad }) => [grad.mul(x!.square()).mul(3)] });
 * cube(x); // a node `cube %x`
 */
export type Op<Args extends readonly unknown[] = readonly (TensorOrNumber | OpAttrs)[]> = ((...args: Args) => Tensor) &
  OpDef & {
    /** The op's definition, as registered. */
    readonly def: OpDef;
    /** The op's name, as printed and serialised. */
    readonly opName: string;
  };

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'builder' in x && 'id' in x;
}

/** The callable of a registered op: splits the trailing attributes, lifts numbers, applies the op. */
function callable<Args extends readonly unknown[]>(def: OpDef): Op<Args> {
  const call = (...args: readonly unknown[]): Tensor => {
    const last = args[args.length - 1];
    const hasAttrs = args.length > 0 && typeof last === 'object' && last !== null && !isTensor(last) && !Array.isArray(last);
    const operands = hasAttrs ? args.slice(0, -1) : args;
    const first = operands.find(isTensor);
    if (!first) fail('usage', `${def.name}: needs at least one tensor argument (numbers alone have no graph)`);
    const inputs = operands.map((x) => first.builder.lift(x as TensorOrNumber, first.dtype));
    return first.builder.apply(def.name, inputs, hasAttrs ? (last as OpAttrs) : {});
  };
  Object.defineProperty(call, 'name', { value: def.name });
  const { name: _name, ...fields } = def;
  return Object.freeze(Object.assign(call, fields, { def, opName: def.name })) as unknown as Op<Args>;
}

/**
 * Register an op and return it as a function (`Op`). Throws if the name is taken or the definition
 * is incomplete. `Args` types the call (default: tensors or numbers, then an optional attributes object).
 * @example
 * defineOp({ name: 'cube', arity: 1, type: ([x]) => x!, scalar: (x) => x * x * x,
 *   kernel: elementwiseKernel((x) => x * x * x),
 *   vjp: ({ inputs: [x], grad }) => [grad.mul(x!.square()).mul(3)] })
 */
export function defineOp<Args extends readonly unknown[] = readonly (TensorOrNumber | OpAttrs)[]>(def: OpDef): Op<Args> {
  if (!def.name || typeof def.name !== 'string') fail('op', 'defineOp: an op needs a name');
  if (registry.has(def.name)) fail('op', `defineOp: an op named '${def.name}' is already defined`);
  if (typeof def.type !== 'function') fail('op', `defineOp '${def.name}': missing shape rule 'type'`);
  if (typeof def.kernel !== 'function') fail('op', `defineOp '${def.name}': missing 'kernel'`);
  const frozen = Object.freeze({ ...def });
  registry.set(def.name, frozen);
  return callable<Args>(frozen);
}

/** The op named `name`; a graph error naming it when unknown. */
export function getOp(name: string): OpDef {
  const op = registry.get(name);
  if (!op) throw new CellgradError('graph', `unknown op '${name}' (known ops: ${[...registry.keys()].sort().join(', ')})`);
  return op;
}

/** True when an op of that name is registered. */
export function hasOp(name: string): boolean {
  return registry.has(name);
}

/** All registered ops, sorted by name. */
export function listOps(): OpDef[] {
  return [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
}
