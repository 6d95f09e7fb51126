/**
 * The op registry. An op is defined once, by `defineOp`: its shape rule, its kernel and its VJP
 * together. Ops register at import time; this registry is the only global mutable state.
 */
import { CellgradError, fail } from '../ir/errors.js';
import type { Attrs, ValueType } from '../ir/node.js';
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

/**
 * Register an op. Throws if the name is taken or the definition is incomplete.
 * @example
 * defineOp({ name: 'cube', arity: 1, type: ([x]) => x!, scalar: (x) => x * x * x,
 *   kernel: elementwiseKernel((x) => x * x * x),
 *   vjp: ({ inputs: [x], grad }) => [grad.mul(x!.square()).mul(3)] })
 */
export function defineOp(def: OpDef): OpDef {
  if (!def.name || typeof def.name !== 'string') fail('op', 'defineOp: an op needs a name');
  if (registry.has(def.name)) fail('op', `defineOp: an op named '${def.name}' is already defined`);
  if (typeof def.type !== 'function') fail('op', `defineOp '${def.name}': missing shape rule 'type'`);
  if (typeof def.kernel !== 'function') fail('op', `defineOp '${def.name}': missing 'kernel'`);
  const frozen = Object.freeze({ ...def });
  registry.set(def.name, frozen);
  return frozen;
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
