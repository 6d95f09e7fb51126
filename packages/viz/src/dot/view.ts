/**
 * What a drawing shows, before any DOT is written: which nodes are drawn, which time steps are folded
 * into one "steps a..b" item, what the node budget hides behind an "N more nodes" marker, the clusters
 * (one per drawn time step) and the edges, each classed as plain, recurrent (step t to its neighbour
 * step, carrying state) or cross-step (a shared value used by a later step).
 */
import type { Graph, Node } from '@cellgrad/graph';
import { groupLabel, stepStructure, type StepGroup } from '../steps.js';
import type { ResolvedDotOptions } from './options.js';

/** One drawn item. */
export type ViewItem =
  | { readonly kind: 'node'; readonly key: string; readonly node: Node; readonly backward: boolean; readonly group?: StepGroup }
  | {
      readonly kind: 'fold';
      readonly key: string;
      readonly label: string;
      readonly lane: string;
      readonly backward: boolean;
      readonly lo: number;
      readonly hi: number;
      readonly count: number;
    }
  | { readonly kind: 'more'; readonly key: string; readonly count: number }
  | { readonly kind: 'output'; readonly key: string; readonly name: string };

/** How an edge is drawn. */
export type EdgeClass = 'plain' | 'recurrent' | 'cross';

/** One drawn edge between two item keys. */
export interface ViewEdge {
  readonly from: string;
  readonly to: string;
  readonly cls: EdgeClass;
}

/** A drawn time step: its label and the keys of its items. */
export interface ViewCluster {
  readonly key: string;
  readonly label: string;
  readonly backward: boolean;
  readonly items: readonly string[];
}

/** The whole drawing. */
export interface GraphView {
  readonly items: readonly ViewItem[];
  readonly clusters: readonly ViewCluster[];
  readonly edges: readonly ViewEdge[];
  /** Graph nodes folded into "steps a..b" items. */
  readonly folded: number;
  /** Graph nodes hidden by the node budget. */
  readonly hidden: number;
}

/** Where an item sits in time: its lane and step range. */
interface Span {
  readonly lane: string;
  readonly lo: number;
  readonly hi: number;
}

/** The groups of each lane to fold: all but the first `firstSteps` and the last. */
function foldPlan(
  lanes: ReadonlyMap<string, readonly StepGroup[]>,
  repeats: ReadonlySet<StepGroup>,
  o: ResolvedDotOptions,
  layered: boolean,
): Map<StepGroup, ViewItem & { kind: 'fold' }> {
  const plan = new Map<StepGroup, ViewItem & { kind: 'fold' }>();
  if (!o.collapseSteps) return plan;
  for (const [lane, list] of lanes) {
    if (list.length <= o.firstSteps + 2) continue;
    const middle = list.slice(o.firstSteps, -1);
    const lo = middle[0]!.step;
    const hi = middle[middle.length - 1]!.step;
    const count = middle.reduce((s, gr) => s + gr.ids.length, 0);
    const same = middle.every((gr) => repeats.has(gr))
      ? `\nsame as step ${list[o.firstSteps - 1]!.step}`
      : middle.length > 1 && middle.slice(1).every((gr) => repeats.has(gr))
        ? `\nsteps ${middle[1]!.step}..${hi} same as step ${lo}`
        : '';
    const each = middle.every((gr) => gr.ids.length === middle[0]!.ids.length) ? `${middle[0]!.ids.length} nodes each` : `${count} nodes`;
    const label = `${groupLabel(middle[0]!, `steps ${lo}..${hi}`, layered)}\n(${middle.length} steps folded, ${each})${same}`;
    const item = { kind: 'fold' as const, key: `fold_${lane.replace(/\W/g, '_')}`, label, lane, backward: middle[0]!.phase === 'backward', lo, hi, count };
    for (const gr of middle) plan.set(gr, item);
  }
  return plan;
}

/** Classify an edge from its endpoints' spans: neighbouring steps of one lane carry state. */
function edgeClass(from: Span | undefined, to: Span | undefined, carriesState: boolean): EdgeClass {
  if (!from || !to || from === to || (from.lane === to.lane && from.lo === to.lo && from.hi === to.hi)) return 'plain';
  const neighbours = from.lane === to.lane && (to.lo === from.hi + 1 || to.hi === from.lo - 1);
  return neighbours && carriesState ? 'recurrent' : 'cross';
}

/**
 * Decide what to draw of `g`: fold the middle time steps of each lane, keep at most `maxNodes`
 * items (in graph order) and hide the rest behind one marker, and class every edge.
 */
export function buildView(g: Graph, o: ResolvedDotOptions): GraphView {
  const { groupOf, shared, backward, lanes, repeats } = stepStructure(g);
  const layered = new Set([...lanes.values()].map((l) => l[0]!.layer)).size > 1;
  const plan = foldPlan(lanes, repeats, o, layered);
  const keyOf: string[] = [];
  const spanOf = new Map<string, Span>();
  const order: ViewItem[] = [];
  const seen = new Set<string>();
  const outputIds = new Set(g.outputs.map((p) => p.id));
  const size = new Map<string, number>();
  const foldItems = new Map([...plan.values()].map((f) => [f.key, f]));
  const foldOf = (n: Node): (ViewItem & { kind: 'fold' }) | undefined => {
    const group = groupOf[n.id];
    if (group) return plan.get(group);
    // A node outside the steps computed only from one folded item (the per-step reshapes feeding
    // the stacked output) folds with it.
    const first = n.inputs.length > 0 && !outputIds.has(n.id) ? foldItems.get(keyOf[n.inputs[0]!]!) : undefined;
    return first && n.inputs.every((i) => keyOf[i] === first.key) ? first : undefined;
  };
  for (const n of g.nodes) {
    const group = groupOf[n.id];
    const fold = foldOf(n);
    const item: ViewItem = fold ?? { kind: 'node', key: `n${n.id}`, node: n, backward: backward[n.id]!, ...(group ? { group } : {}) };
    keyOf[n.id] = item.key;
    size.set(item.key, (size.get(item.key) ?? 0) + 1);
    if (fold) spanOf.set(item.key, fold);
    else if (group) spanOf.set(item.key, { lane: group.lane, lo: group.step, hi: group.step });
    if (!seen.has(item.key)) order.push(item);
    seen.add(item.key);
  }
  const kept = order.slice(0, o.maxNodes);
  const dropped = order.slice(o.maxNodes);
  const hidden = dropped.reduce((s, it) => s + size.get(it.key)!, 0);
  const items: ViewItem[] = [...kept];
  if (dropped.length > 0) {
    const more: ViewItem = { kind: 'more', key: 'more', count: hidden };
    items.push(more);
    const gone = new Set(dropped.map((it) => it.key));
    for (let id = 0; id < keyOf.length; id++) if (gone.has(keyOf[id]!)) keyOf[id] = more.key;
  }
  for (const [k, p] of g.outputs.entries()) items.push({ kind: 'output', key: `out${k}`, name: p.name });

  const edges = new Map<string, ViewEdge>();
  const addEdge = (from: string, to: string, cls: EdgeClass): void => {
    if (from !== to && !edges.has(`${from}->${to}`)) edges.set(`${from}->${to}`, { from, to, cls });
  };
  for (const n of g.nodes) {
    const to = keyOf[n.id]!;
    for (const i of n.inputs) {
      const from = keyOf[i]!;
      const carriesState = !shared.has(i) && g.nodes[i]!.inputs.some((j) => groupOf[j] !== undefined);
      addEdge(from, to, edgeClass(spanOf.get(from), spanOf.get(to), carriesState));
    }
  }
  for (const [k, p] of g.outputs.entries()) addEdge(keyOf[p.id]!, `out${k}`, 'plain');

  const clusters = new Map<string, { key: string; label: string; backward: boolean; items: string[] }>();
  if (o.clusterSteps) {
    for (const it of kept) {
      if (it.kind !== 'node' || !it.group) continue;
      const gr = it.group;
      const key = `cluster_${gr.lane.replace(/\W/g, '_')}_${gr.step}`;
      const c = clusters.get(key) ?? { key, label: groupLabel(gr, `step ${gr.step}`, layered), backward: gr.phase === 'backward', items: [] };
      c.items.push(it.key);
      clusters.set(key, c);
    }
  }
  const folded = [...foldItems.keys()].reduce((s, k) => s + (size.get(k) ?? 0), 0);
  return { items, clusters: [...clusters.values()], edges: [...edges.values()], folded, hidden };
}
