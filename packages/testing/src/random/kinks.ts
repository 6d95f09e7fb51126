/**
 * How far a graph evaluation is from the points where finite differences stop agreeing with the
 * derivative: kinks (relu, abs, maximum/minimum, clamp, hard_sigmoid, max-reduce ties), jumps
 * (comparisons, sign, where's condition) and the edges of domains (log, sqrt, div by ~0, pow of a
 * non-positive base). Random tests resample values until this distance is comfortably large.
 */
import { getOp, interpretAll, sizeOf, type Attrs, type FeedValue, type Graph, type NDArray, type Node } from '@cellgrad/graph';

/** For each element of `inShape` broadcast to `outShape`, the same index map the kernels use. */
function broadcastTo(a: NDArray, outShape: readonly number[]): Float64Array {
  const n = sizeOf(outShape);
  if (a.shape.length === outShape.length && a.shape.every((d, i) => d === outShape[i])) return Float64Array.from(a.data);
  const out = new Float64Array(n);
  const rank = outShape.length;
  const coord = new Array<number>(rank).fill(0);
  for (let k = 0; k < n; k++) {
    let off = 0;
    let stride = 1;
    for (let d = a.shape.length - 1; d >= 0; d--) {
      const od = d + rank - a.shape.length;
      const c = a.shape[d] === 1 ? 0 : coord[od]!;
      off += c * stride;
      stride *= a.shape[d]!;
    }
    out[k] = a.data[off]!;
    for (let d = rank - 1; d >= 0; d--) {
      coord[d]!++;
      if (coord[d]! < outShape[d]!) break;
      coord[d] = 0;
    }
  }
  return out;
}

function minAbs(xs: ArrayLike<number>, shift = 0): number {
  let m = Infinity;
  for (let i = 0; i < xs.length; i++) m = Math.min(m, Math.abs(xs[i]! - shift));
  return m;
}

function minAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = Infinity;
  for (let i = 0; i < a.length; i++) m = Math.min(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** The smallest gap between the largest and second largest element of each reduced group. */
function maxGap(x: NDArray, axes: readonly number[]): number {
  const groups = new Map<number, number[]>();
  const rank = x.shape.length;
  const coord = new Array<number>(rank).fill(0);
  for (let k = 0; k < x.data.length; k++) {
    let key = 0;
    for (let d = 0; d < rank; d++) key = key * (axes.includes(d) ? 1 : x.shape[d]!) + (axes.includes(d) ? 0 : coord[d]!);
    const list = groups.get(key) ?? [];
    list.push(x.data[k]!);
    groups.set(key, list);
    for (let d = rank - 1; d >= 0; d--) {
      coord[d]!++;
      if (coord[d]! < x.shape[d]!) break;
      coord[d] = 0;
    }
  }
  let gap = Infinity;
  for (const list of groups.values()) {
    if (list.length < 2) continue;
    const sorted = [...list].sort((a, b) => b - a);
    gap = Math.min(gap, sorted[0]! - sorted[1]!);
  }
  return gap;
}

const COMPARISONS = new Set(['greater', 'greater_equal', 'less', 'less_equal', 'equal', 'not_equal']);

/**
 * Distance of one node's inputs from its op's non-smooth points (Infinity for smooth ops).
 * `values` holds every node's value (as `interpretAll` returns them).
 */
export function nodeKinkDistance(g: Graph, node: Node, values: readonly NDArray[]): number {
  const ins = node.inputs.map((i) => values[i]!);
  const attrs: Attrs = node.attrs;
  const x = ins[0];
  const pair = (): number => {
    if (node.inputs[0] === node.inputs[1]) return Infinity; // op(a, a): no kink (max(a, a) = a)
    return minAbsDiff(broadcastTo(ins[0]!, node.shape), broadcastTo(ins[1]!, node.shape));
  };
  switch (node.op) {
    case 'relu':
    case 'abs':
    case 'sign':
      return minAbs(x!.data);
    case 'log':
    case 'sqrt':
      return Math.min(...Array.from(x!.data, (v) => (v > 0 ? v : -Infinity)), Infinity);
    case 'div':
      return minAbs(ins[1]!.data);
    case 'pow':
      return Math.min(...Array.from(ins[0]!.data, (v) => (v > 0 ? v : -Infinity)), Infinity);
    case 'maximum':
    case 'minimum':
      return pair();
    case 'clamp':
      return Math.min(minAbs(x!.data, attrs.min as number), minAbs(x!.data, attrs.max as number));
    case 'hard_sigmoid': {
      const s = attrs.slope as number;
      return Math.min(minAbs(x!.data, -0.5 / s), minAbs(x!.data, 0.5 / s));
    }
    case 'max':
      return maxGap(x!, attrs.axes as number[]);
    case 'where': {
      const cond = g.nodes[node.inputs[0]!]!;
      // A condition that is itself a comparison is exactly 0 or 1; its jump is checked there.
      if (COMPARISONS.has(cond.op) || getOp(cond.op).piecewiseConstant) return Infinity;
      return minAbs(x!.data);
    }
    default:
      if (COMPARISONS.has(node.op)) return pair();
      return Infinity;
  }
}

/** Result of `kinkDistance`. */
export interface KinkReport {
  /** Smallest distance of any node's inputs from a non-smooth point. */
  readonly distance: number;
  /** The node where it occurs (for messages). */
  readonly node?: Node;
  /** Every value of the graph is finite. */
  readonly finite: boolean;
  /** Largest absolute value anywhere in the graph. */
  readonly maxAbs: number;
}

/** Evaluate `g` in float64 and report how close the evaluation is to any non-smooth point. */
export function kinkDistance(g: Graph, feeds: Readonly<Record<string, FeedValue>>): KinkReport {
  const { values } = interpretAll(g, feeds, { dtype: 'float64' });
  let distance = Infinity;
  let at: Node | undefined;
  let finite = true;
  let maxAbs = 0;
  for (const node of g.nodes) {
    const v = values[node.id]!;
    for (let i = 0; i < v.data.length; i++) {
      const a = Math.abs(v.data[i]!);
      if (!Number.isFinite(a)) finite = false;
      else if (a > maxAbs) maxAbs = a;
    }
    if (node.op === 'input') continue;
    const d = nodeKinkDistance(g, node, values);
    if (d < distance) {
      distance = d;
      at = node;
    }
  }
  return at ? { distance, node: at, finite, maxAbs } : { distance, finite, maxAbs };
}
