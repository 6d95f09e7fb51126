/**
 * A cell as a map of its state: F(s, x) = the state after one step from state s under input x, with
 * every state of every layer flattened into one vector s (for an LSTM, s = (h, c)). The map is the
 * one-step graph `unroll` builds (time is one loop), rebuilt so its states come from one input
 * `s` [B, n] and leave as one output `next` [B, n]: B rows are independent copies of the map, so
 * many states (starts, tangents) go through one evaluation.
 */
import { CellgradError, concat, extendGraph, rebuild, sizeOf, type Graph, type NDArray, type Shape, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import { describeUnroll } from '../layout.js';
import { unroll } from '../unroll/unroll.js';

/** The sizes a cell's dynamics are studied at. */
export interface DynamicsSizes {
  /** Input width I. */
  readonly input: number;
  /** Hidden width H. */
  readonly hidden: number;
  /** Stacked layers (default 1); the state is every layer's states together. */
  readonly layers?: number;
}

/** Where one state of one layer sits in the flat state vector. */
export interface StateSlot {
  readonly state: string;
  readonly layer: number;
  /** Offset in the flat vector. */
  readonly offset: number;
  /** Per-example shape of the state. */
  readonly shape: Shape;
}

/** The flat-state map of a cell at some sizes, for `rows` states at once. */
export interface StateMap {
  /** Graph: inputs `s` [rows, n], `x` [1, rows, I] and the parameters; output `next` [rows, n]. */
  readonly graph: Graph;
  /** Length n of the flat state. */
  readonly size: number;
  /** The layout of the flat state (state names in declaration order, then layers). */
  readonly slots: readonly StateSlot[];
  /** Names of the parameter inputs. */
  readonly params: readonly string[];
  readonly rows: number;
}

/** Build the flat-state map of `cell` at `sizes` for `rows` states at once (float64). */
export function stateMap(cell: Cell, sizes: DynamicsSizes, rows: number): StateMap {
  const layers = sizes.layers ?? 1;
  const options = { input: sizes.input, hidden: sizes.hidden, batch: rows, steps: 1, layers, dtype: 'float64' as const };
  const layout = describeUnroll(cell, options);
  const slots: StateSlot[] = [];
  let n = 0;
  for (const [state, shape] of Object.entries(layout.stateShapes)) {
    for (let layer = 0; layer < layers; layer++) {
      slots.push({ state, layer, offset: n, shape });
      n += sizeOf(shape);
    }
  }
  const perState = (state: string) => slots.filter((sl) => sl.state === state);
  const g = unroll(cell, options);
  let s: Tensor | undefined;
  const flat = rebuild(g, (node, ctx) => {
    const spec = node.op === 'input' ? layout.inputs.find((i) => i.name === node.attrs.name) : undefined;
    if (spec?.role !== 'state') return undefined;
    s ??= ctx.builder.input('s', [rows, n], 'float64');
    const shape = layout.stateShapes[spec.state!]!;
    const parts = perState(spec.state!).map((sl) => s!.slice(1, sl.offset, sl.offset + sizeOf(shape)).reshape([1, rows, ...shape]));
    return parts.length === 1 ? parts[0]! : concat(parts, 0);
  });
  const graph = extendGraph(flat, ({ outputs }) => {
    const parts: Tensor[] = [];
    for (const sl of slots) parts.push(outputs[`${sl.state}_T`]!.index(0, sl.layer).reshape([rows, sizeOf(sl.shape)]));
    return { next: parts.length === 1 ? parts[0]! : concat(parts, 1) };
  });
  const params = layout.inputs.filter((i) => i.role === 'param').map((i) => i.name);
  return { graph, size: n, slots, params, rows };
}

/** Feeds of a state map: the states (rows of n), the input x* for every row, the parameters. */
export function mapFeeds(map: StateMap, states: Float64Array, x: Float64Array, params: Readonly<Record<string, NDArray>>): Record<string, NDArray> {
  if (states.length !== map.rows * map.size) {
    throw new CellgradError('usage', `dynamics: ${states.length} state values for ${map.rows} states of ${map.size}`);
  }
  const xs = new Float64Array(map.rows * x.length);
  for (let r = 0; r < map.rows; r++) xs.set(x, r * x.length);
  return { s: { shape: [map.rows, map.size], data: states }, x: { shape: [1, map.rows, x.length], data: xs }, ...params };
}
