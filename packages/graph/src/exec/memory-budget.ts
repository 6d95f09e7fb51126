/**
 * The memory budget of the executors. Each tensor is capped at 2²⁸ elements (`verify`), but their
 * sum is not: a few hundred bytes of graph JSON can ask for gigabytes. Before allocating, `interpret`
 * and `compile` estimate the bytes their buffers will take at once and compare it with `maxBytes`
 * (default `DEFAULT_MAX_BYTES`); over budget is a shape error naming the estimate, the budget and the
 * largest buffers, before a single one is allocated. Plain arithmetic: no `node:os`, browser-safe.
 */
import type { DType } from '../ir/dtype.js';
import { fail } from '../ir/errors.js';
import type { Graph } from '../ir/node.js';
import { formatShape, sizeOf } from '../ir/shape.js';

/**
 * The default budget: 4 GiB of tensor buffers per `interpret` run or compiled plan. The largest
 * training graph of the benchmark (LSTM, batch 64, 100 steps, 512×512, float32) needs about 1 GiB
 * in the interpreter (0.3 GiB in float64 via `interpret(g, feeds, { dtype: 'float64' })`).
 */
export const DEFAULT_MAX_BYTES = 4 * 2 ** 30;

/** How many buffers an over-budget error names. */
const NAMED = 3;

/** Bytes of one element of `dtype`. */
export const bytesPerElement = (dtype: DType): number => (dtype === 'float64' ? 8 : 4);

/** Bytes of node `id`'s buffer. */
const nodeBytes = (g: Graph, id: number): number => sizeOf(g.nodes[id]!.shape) * bytesPerElement(g.nodes[id]!.dtype);

/** What the interpreter needs to free buffers by liveness: each node's last reader, and what it keeps. */
export interface Liveness {
  /** Index of the last node reading each node (−1: never read). */
  readonly lastUse: Int32Array;
  /** 1 for nodes whose value outlives the run (fed inputs, graph outputs). */
  readonly kept: Uint8Array;
}

const livenessCache = new WeakMap<Graph, Liveness>();

/** The liveness of `g`'s values in node order (cached per graph). */
export function liveness(g: Graph): Liveness {
  let l = livenessCache.get(g);
  if (l) return l;
  const lastUse = new Int32Array(g.nodes.length).fill(-1);
  for (const n of g.nodes) for (const i of n.inputs) lastUse[i] = n.id;
  const kept = new Uint8Array(g.nodes.length);
  for (const p of g.inputs) kept[p.id] = 1;
  for (const p of g.outputs) kept[p.id] = 1;
  l = { lastUse, kept };
  livenessCache.set(g, l);
  return l;
}

/** The peak of an interpreter run. */
export interface MemoryEstimate {
  /** The most bytes of tensor buffers held at once. */
  readonly bytes: number;
  /** The node ids of the buffers held at that moment (computed on call). */
  readonly live: () => number[];
}

/**
 * The most bytes the interpreter holds at once running `g`: fed inputs and outputs for the whole
 * run, every other value from its node until its last reader (or the whole run with `keepAll`, as
 * `interpretAll` does). Cached per graph.
 * @example
 * interpretPeak(g, false).bytes; // what interpret(g, feeds) will hold at most
 */
export function interpretPeak(g: Graph, keepAll: boolean): MemoryEstimate {
  let cached = peakCache.get(g);
  if (!cached) peakCache.set(g, (cached = {}));
  const key = keepAll ? 'all' : 'live';
  return (cached[key] ??= measurePeak(g, keepAll));
}

const peakCache = new WeakMap<Graph, { all?: MemoryEstimate; live?: MemoryEstimate }>();

function measurePeak(g: Graph, keepAll: boolean): MemoryEstimate {
  const { lastUse, kept } = liveness(g);
  const dies = (id: number, at: number): boolean => !keepAll && !kept[id] && lastUse[id]! <= at;
  let live = 0;
  for (const p of g.inputs) live += nodeBytes(g, p.id);
  let peak = live;
  let peakAt = -1;
  const freed = new Uint8Array(g.nodes.length);
  const free = (id: number): void => {
    if (!freed[id]) live -= nodeBytes(g, id);
    freed[id] = 1;
  };
  for (const n of g.nodes) {
    if (n.op === 'input') continue;
    live += nodeBytes(g, n.id);
    if (live > peak) [peak, peakAt] = [live, n.id];
    for (const i of n.inputs) if (dies(i, n.id)) free(i);
    if (dies(n.id, n.id)) free(n.id);
  }
  // The buffers live at the peak (while its node is computed): recomputed only when an error names them.
  const liveAtPeak = (): number[] => {
    const ids: number[] = g.inputs.map((p) => p.id);
    for (const n of g.nodes) if (n.op !== 'input' && n.id <= peakAt && (n.id === peakAt || !dies(n.id, peakAt - 1))) ids.push(n.id);
    return ids;
  };
  return { bytes: peak, live: liveAtPeak };
}

/** Check a `maxBytes` option: a positive number (Infinity turns the budget off). */
export function checkMaxBytes(value: unknown, where: string): number {
  if (value === undefined) return DEFAULT_MAX_BYTES;
  if (typeof value !== 'number' || !(value > 0))
    fail('usage', `${where}: maxBytes must be a positive number of bytes (or Infinity), got ${JSON.stringify(value)}`);
  return value;
}

/** `1.5 GiB`-style text of a byte count. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let x = bytes;
  let u = 0;
  while (x >= 1024 && u < units.length - 1) [x, u] = [x / 1024, u + 1];
  return u === 0 ? `${x} bytes` : `${x.toFixed(x >= 100 ? 0 : 1)} ${units[u]}`;
}

/** A buffer that is not a graph node (e.g. gradcheck's Jacobian), for an over-budget message. */
export interface ExtraBuffer {
  readonly label: string;
  readonly bytes: number;
}

/**
 * Throw a shape error when `bytes` exceeds `maxBytes`: it names what `what` needs, the budget, the
 * largest of the buffers (graph nodes `ids` of `g`: node, op, type, size; and `extras`) and how to
 * raise the budget. Nothing is computed for the message unless it is thrown.
 * @example
 * const peak = interpretPeak(g, false);
 * checkMemoryBudget(g, 'my runner', peak.bytes, DEFAULT_MAX_BYTES, peak.live);
 */
export function checkMemoryBudget(
  g: Graph,
  what: string,
  bytes: number,
  maxBytes: number,
  ids: () => readonly number[],
  extras: readonly ExtraBuffer[] = [],
): void {
  if (bytes <= maxBytes) return;
  const buffers: ExtraBuffer[] = [...extras];
  for (const id of new Set(ids())) {
    const n = g.nodes[id]!;
    buffers.push({ label: `%${id} ${n.op} ${n.dtype}${formatShape(n.shape)}`, bytes: nodeBytes(g, id) });
  }
  const named = buffers
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, NAMED)
    .map((b) => `${b.label} (${formatBytes(b.bytes)})`);
  fail(
    'shape',
    `memory budget: ${what} needs about ${formatBytes(bytes)} of tensor buffers (${bytes} bytes), more than maxBytes = ${formatBytes(maxBytes)} ` +
      `(${maxBytes} bytes); largest: ${named.join(', ')}; pass a larger { maxBytes } (or Infinity) if the machine has the memory, or use smaller shapes`,
  );
}
