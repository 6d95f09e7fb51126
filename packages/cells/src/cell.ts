/**
 * The types of a recurrent cell: what a user declares (`CellDef`) and the validated, frozen object
 * `defineCell` returns (`Cell`), which `unroll`, the initialisers and the reference checker consume.
 */
import type { Rng, Shape, Tensor } from '@cellgrad/graph';

/** The sizes a cell is instantiated with: its input width and its hidden width. */
export interface CellSizes {
  /** Width I of the input x at each step. */
  readonly input: number;
  /** Hidden width H. */
  readonly hidden: number;
}

/**
 * What `step` receives first: `x`, the input at this step (`[batch, input]`), and the current value
 * of every state (`[batch, ...stateShape]`), by state name. `S` is the union of the state names
 * (inferred by `defineCell` from `state`, so that `({ x, h })` destructures to tensors).
 */
export type StepInputs<S extends string = string> = { readonly x: Tensor } & Readonly<Record<S, Tensor>>;

/** Parameters by name (`P`: their names), as `step` receives them (shapes exactly as declared, no batch axis). */
export type StepParams<P extends string = string> = Readonly<Record<P, Tensor>>;

/**
 * One time step: returns the next value of every state, and optionally the step's output (`y`, or
 * the name given by `CellDef.output`). `P` and `S` are the parameter and state names.
 */
export type StepFn<P extends string = string, S extends string = string> = (inputs: StepInputs<S>, params: StepParams<P>) => Record<string, Tensor>;

/**
 * A custom initialiser: values for some or all parameters, flattened row-major. Parameters it does
 * not return get the default U(−1/√H, 1/√H).
 */
export type InitFn = (sizes: CellSizes, rng: Rng) => Record<string, Float64Array | readonly number[]>;

/**
 * The declaration of a cell, as passed to `defineCell`. `P` and `S`, the parameter and state names,
 * are inferred from what `params` and `state` return.
 */
export interface CellDef<P extends string = string, S extends string = string> {
  /** Name used in errors, scopes and visualisations. */
  readonly name: string;
  /** Parameter shapes by name, PyTorch layout `[out, in]` (e.g. `{ weight_ih: [4 * H, I] }`). */
  readonly params: (sizes: CellSizes) => Record<P, Shape>;
  /** State shapes by name, per example (no batch axis), e.g. `{ h: [H], c: [H] }`. */
  readonly state: (sizes: CellSizes) => Record<S, Shape>;
  /** The symbolic step. */
  readonly step: StepFn<P, S>;
  /** Which returned value is the per-step output: default `y` when returned, else the first state. */
  readonly output?: string;
  /** Size of the per-step output (default: hidden); the input size of the next stacked layer. */
  readonly outputSize?: (sizes: CellSizes) => number;
  /** Optional custom initialiser (see `InitFn`). */
  readonly init?: InitFn;
  /** One paragraph describing the cell (equations, conventions). */
  readonly doc?: string;
}

/** A validated cell, as returned by `defineCell`. Frozen. */
export interface Cell {
  /** The cell's name. */
  readonly name: string;
  /** Its description, if any. */
  readonly doc: string | undefined;
  /** The declared output name, if any (see `CellDef.output`). */
  readonly output: string | undefined;
  /** The step function. */
  readonly step: StepFn;
  /** The custom initialiser, if any. */
  readonly init: InitFn | undefined;
  /** Parameter shapes for `sizes`, validated (errors of kind `cell` name the parameter). */
  paramShapes(sizes: CellSizes): Readonly<Record<string, Shape>>;
  /** State shapes for `sizes`, validated (at least one state). */
  stateShapes(sizes: CellSizes): Readonly<Record<string, Shape>>;
  /** The size of the per-step output for `sizes`, validated. */
  outputSize(sizes: CellSizes): number;
}
