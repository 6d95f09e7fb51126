/**
 * The IR: a `Graph` is SSA in topological order. Each `Node` names its op, its inputs (ids of earlier
 * nodes), its attributes and its static value type. Graphs are deeply frozen once built.
 */
import type { DType } from './dtype.js';
import type { Shape } from './shape.js';

/** An attribute value; attributes are plain JSON data. */
export type AttrValue = number | string | boolean | null | readonly number[] | readonly string[];

/** The attributes of a node. */
export type Attrs = Readonly<Record<string, AttrValue>>;

/** Where a node came from, for error messages and visualisation. */
export interface NodeScope {
  /** The cell whose `step` created the node. */
  readonly cell?: string;
  /** The time step (0-based) during which it was created. */
  readonly step?: number;
  /** The layer of a stacked network. */
  readonly layer?: number;
  /** `backward` for nodes created by the reverse-mode transform. */
  readonly phase?: 'forward' | 'backward';
}

/** The static type of a value: its dtype and shape. */
export interface ValueType {
  readonly dtype: DType;
  readonly shape: Shape;
}

/** One SSA node. Its id is its index in `Graph.nodes`. */
export interface Node extends ValueType {
  readonly id: number;
  readonly op: string;
  readonly inputs: readonly number[];
  readonly attrs: Attrs;
  readonly scope?: NodeScope;
}

/** A named graph input or output. */
export interface Port {
  readonly name: string;
  readonly id: number;
}

/** An immutable computation graph. Nodes are in topological order; inputs are `input` nodes. */
export interface Graph {
  readonly nodes: readonly Node[];
  readonly inputs: readonly Port[];
  readonly outputs: readonly Port[];
}
