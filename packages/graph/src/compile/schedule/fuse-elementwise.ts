/**
 * Elementwise fusion, the scheduling half of compilation. Layout ops become strided views (no
 * copy); chains of same-shaped elementwise ops (the gate arithmetic forward, the chains that `grad`
 * produces backward) become groups, each run as one generated loop; everything else is one step.
 * A node gets its own buffer ("materialized") only when something outside its group reads it.
 *
 * The grouping rule keeps the schedule legal without a second topological sort: a group runs at
 * the position of its first member, so a node may join a group only when every value it reads from
 * outside the group is ready before that first member (sources — inputs and constants — are ready
 * before everything; a fused value is ready at its own group's position). Groups merge when a node
 * joins two of them. Afterwards, a member that only a later group reads moves into that group, so
 * it is computed where it is used instead of stored and loaded back. Unlike the optimisation passes this is not a Graph → Graph rewrite: it returns
 * the schedule that `compile` executes (and the graph is left as it was, so it is trivially
 * idempotent); its correctness is the compiled-equals-interpreted property of test/compile.
 * A group holds at most `MAX_GROUP_MEMBERS` nodes, so generated loops stay small however long a
 * chain of elementwise ops a graph holds (a 100 000-op chain becomes a few hundred loops).
 */
import type { Graph, Node } from '../../ir/node.js';
import { sameShape, type Shape } from '../../ir/shape.js';
import { isFusible, VIEW_OPS } from '../js/templates.js';
import { broadcastView, denseView, isContiguous, reshapeView, sliceView, transposeView, type View } from '../js/views.js';

/** The most members of one fused group (each is a local of its generated loop). */
export const MAX_GROUP_MEMBERS = 512;

/** One step of the schedule. */
export type Instruction =
  /** A fused loop over `shape`: computes `members` (topological order), stores `outputs`. */
  | { readonly kind: 'fused'; readonly members: readonly number[]; readonly outputs: readonly number[]; readonly shape: Shape }
  /** A dense copy of view node `id` (a consumer needs it dense). */
  | { readonly kind: 'copy'; readonly id: number }
  /** One node run by its own kernel (matmul, reductions, everything not fused). */
  | { readonly kind: 'node'; readonly id: number };

/** The result of fusion: how each node is read, which have buffers, and the steps in order. */
export interface Fusion {
  /** How every node's value is read: its own dense buffer, or a view of another node's buffer. */
  readonly views: readonly View[];
  /** For each computing node (and copied view), how it reads each of its inputs. */
  readonly inputViews: readonly (readonly View[] | undefined)[];
  /** How each graph output is read (always contiguous). */
  readonly outputViews: readonly View[];
  /** For each copied view node (a `copy` step), the view it copies. */
  readonly copyFrom: readonly (View | undefined)[];
  /** 1 for nodes with a buffer of their own. */
  readonly materialized: Uint8Array;
  /** Inputs, constants and fills: written before the first step. */
  readonly sources: readonly number[];
  /** The steps, in an order that respects every dependency. */
  readonly steps: readonly Instruction[];
  /** Group index of each fused member, −1 for other nodes. */
  readonly groupOf: Int32Array;
}

const SOURCES = new Set(['input', 'constant', 'fill']);

/** Can a matmul read this view as its right operand (unit column stride)? */
function denseRows(v: View): boolean {
  return v.shape.length >= 2 && (v.strides[v.shape.length - 1] === 1 || v.shape[v.shape.length - 1] === 1);
}

/** What a consumer of kind `op` accepts as an operand view; otherwise the view is copied. */
function accepts(op: string, k: number, v: View): boolean {
  if (op === 'sum' || op === 'mean' || op === 'max' || op === 'concat' || op === 'pad') return true;
  if (op === 'matmul') return k === 0 || denseRows(v);
  return isContiguous(v);
}

interface Group {
  first: number;
  maxExternal: number;
  members: number[];
  shape: Shape;
}

/**
 * Schedule `g`: views for layout ops, fused groups for elementwise chains, one step for the rest.
 * @example
 * const { steps } = fuseElementwise(g);
 * const loops = steps.filter((s) => s.kind === 'fused').length;
 */
export function fuseElementwise(g: Graph): Fusion {
  const nodes = g.nodes;
  const n = nodes.length;
  const views: View[] = new Array(n);
  const materialized = new Uint8Array(n);
  const copied = new Uint8Array(n);
  const isSource = (id: number) => SOURCES.has(nodes[id]!.op);
  const copyFrom: View[] = new Array(n);
  const materialize = (id: number) => {
    if (VIEW_OPS.has(nodes[id]!.op) && !copied[id]) {
      copied[id] = 1;
      copyFrom[id] = views[id]!;
    }
    views[id] = denseView(id, nodes[id]!.shape);
  };

  // 1. Views. A reshape of a non-contiguous view copies that view first.
  for (const node of nodes) {
    const x = node.inputs[0];
    if (!VIEW_OPS.has(node.op) || x === undefined) {
      views[node.id] = denseView(node.id, node.shape);
      continue;
    }
    const v = views[x]!;
    if (node.op === 'transpose') views[node.id] = transposeView(v, node.attrs.perm as number[]);
    else if (node.op === 'slice') views[node.id] = sliceView(v, node.attrs.axis as number, node.attrs.start as number, node.attrs.end as number);
    else if (node.op === 'broadcast_to') views[node.id] = broadcastView(v, node.shape);
    else if (isContiguous(v)) views[node.id] = reshapeView(v, node.shape);
    else {
      materialize(x);
      views[node.id] = reshapeView(views[x]!, node.shape);
    }
  }

  // 2. Groups.
  const groupOf = new Int32Array(n).fill(-1);
  const groups: (Group | undefined)[] = [];
  // Where a value becomes available: sources before everything, a fused member at its group's
  // position (the group's first member), anything else at its own position.
  const ready = (id: number): number => {
    const base = views[id]!.base;
    if (isSource(base)) return -1;
    const gb = groupOf[base]!;
    return gb >= 0 ? groups[gb]!.first : base;
  };
  const fusible = (node: Node) => !SOURCES.has(node.op) && !VIEW_OPS.has(node.op) && isFusible(node);
  for (const node of nodes) {
    if (!fusible(node)) continue;
    const internalGroups = new Set<number>();
    for (const i of node.inputs) {
      const gi = groupOf[i]!;
      if (gi >= 0 && views[i]!.base === i && sameShape(nodes[i]!.shape, node.shape) && groups[gi]!.members.length < MAX_GROUP_MEMBERS) internalGroups.add(gi);
    }
    const externalMax = (inside: ReadonlySet<number>) => {
      let m = -1;
      for (const i of node.inputs) if (!(inside.has(groupOf[i]!) && views[i]!.base === i && sameShape(nodes[i]!.shape, node.shape))) m = Math.max(m, ready(i));
      return m;
    };
    let joined = -1;
    if (internalGroups.size > 0) {
      const all = [...internalGroups];
      let first = Infinity;
      let maxExt = externalMax(internalGroups);
      let size = 1;
      for (const k of all) {
        first = Math.min(first, groups[k]!.first);
        maxExt = Math.max(maxExt, groups[k]!.maxExternal);
        size += groups[k]!.members.length;
      }
      if (maxExt < first && size <= MAX_GROUP_MEMBERS) {
        joined = all.find((k) => groups[k]!.first === first)!;
        for (const k of all) {
          if (k === joined) continue;
          for (const m of groups[k]!.members) {
            groupOf[m] = joined;
            groups[joined]!.members.push(m);
          }
          groups[k] = undefined;
        }
        groups[joined]!.maxExternal = maxExt;
      } else {
        for (const k of all) {
          const gk = groups[k]!;
          const ext = externalMax(new Set([k]));
          if (Math.max(ext, gk.maxExternal) < gk.first) {
            joined = k;
            gk.maxExternal = Math.max(ext, gk.maxExternal);
            break;
          }
        }
      }
    }
    if (joined >= 0) {
      groups[joined]!.members.push(node.id);
      groupOf[node.id] = joined;
    } else {
      groupOf[node.id] = groups.length;
      groups.push({ first: node.id, maxExternal: externalMax(new Set()), members: [node.id], shape: node.shape });
    }
  }

  // 2b. Sinking: a member read only by members of one later group moves into that group, when the
  // values it reads from its own group are stored anyway. It is then computed where it is used
  // instead of being stored and loaded back: the derivative factors (1 − σ, 1 − tanh²) that a
  // forward gate loop would otherwise store for the backward loop. Repeated, so chains move too.
  sinkIntoReaders(g, groups, groupOf, views, ready);

  // 3. Materialization: anything read from outside its own group, every output, every non-fused
  // node. A consumer that cannot read a view (a kernel needing a dense block) gets a dense copy.
  const internal = (consumer: Node, i: number) =>
    groupOf[consumer.id]! >= 0 && groupOf[i] === groupOf[consumer.id] && views[i]!.base === i && sameShape(nodes[i]!.shape, consumer.shape);
  const needCopy = (i: number) => {
    copied[i] = 1;
    copyFrom[i] = views[i]!;
    materialized[i] = 1;
    materialized[views[i]!.base] = 1;
    return denseView(i, nodes[i]!.shape);
  };
  const inputViews: View[][] = new Array(n);
  for (const node of nodes) {
    if (SOURCES.has(node.op)) materialized[node.id] = 1;
    if (VIEW_OPS.has(node.op)) {
      if (copied[node.id]) materialized[node.id] = materialized[copyFrom[node.id]!.base] = 1;
      continue;
    }
    if (groupOf[node.id]! < 0) materialized[node.id] = 1;
    inputViews[node.id] = node.inputs.map((i, k) => {
      if (copied[i]) return denseView(i, nodes[i]!.shape);
      if (internal(node, i)) return views[i]!;
      if (groupOf[node.id]! < 0 && !accepts(node.op, k, views[i]!)) return needCopy(i);
      materialized[views[i]!.base] = 1;
      return views[i]!;
    });
  }
  const outputViews = g.outputs.map((p) => {
    const v = views[p.id]!;
    if (copied[p.id]) return denseView(p.id, nodes[p.id]!.shape);
    if (!isContiguous(v)) return needCopy(p.id);
    materialized[v.base] = 1;
    return v;
  });

  // 4. Steps, each at the position of its first node.
  const steps: Instruction[] = [];
  const sources: number[] = [];
  for (const node of nodes) {
    const id = node.id;
    if (SOURCES.has(node.op)) sources.push(id);
    else if (copied[id]) steps.push({ kind: 'copy', id });
    else if (VIEW_OPS.has(node.op)) continue;
    else if (groupOf[id]! >= 0) {
      const grp = groups[groupOf[id]!]!;
      if (grp.first !== id) continue;
      const members = [...grp.members].sort((a, b) => a - b);
      steps.push({ kind: 'fused', members, outputs: members.filter((m) => materialized[m]), shape: grp.shape });
    } else steps.push({ kind: 'node', id });
  }
  return { views, copyFrom, inputViews, outputViews, materialized, sources, steps, groupOf };
}

/**
 * Move group members whose readers all belong to one group that runs later (see step 2b of
 * `fuseElementwise`), together with the members of their own group that only they read (so that
 * 1 − tanh(c)² moves with its square). Every move keeps the schedule legal: what the moved nodes
 * read is ready before the receiving group's position, and a group's first member never moves.
 */
function sinkIntoReaders(g: Graph, groups: (Group | undefined)[], groupOf: Int32Array, views: readonly View[], ready: (id: number) => number): void {
  const nodes = g.nodes;
  const readers: number[][] = nodes.map(() => []);
  for (const node of nodes) for (const i of new Set(node.inputs)) readers[i]!.push(node.id);
  const isOutput = new Uint8Array(nodes.length);
  for (const p of g.outputs) isOutput[p.id] = 1;
  const direct = (reader: number, i: number) => views[i]!.base === i && sameShape(nodes[i]!.shape, nodes[reader]!.shape);
  /** The one group (≠ k) all readers of m belong to, reading it directly; −1 when there is none. */
  const target = (m: number, k: number): number => {
    let into = -1;
    for (const r of readers[m]!) {
      const gr = groupOf[r]!;
      if (gr < 0 || gr === k || (into >= 0 && gr !== into) || !direct(r, m)) return -1;
      into = gr;
    }
    return into;
  };
  /** Collect m and the members of k only the moving set reads; false when something cannot follow. */
  const collect = (m: number, k: number, dest: Group, moving: Set<number>): boolean => {
    const grp = groups[k]!;
    if (m === grp.first || isOutput[m]) return false;
    moving.add(m);
    for (const i of nodes[m]!.inputs) {
      if (moving.has(i)) continue;
      if (groupOf[i] === k && direct(m, i)) {
        const storedAnyway = readers[i]!.some((r) => !moving.has(r) && groupOf[r] !== k);
        if (storedAnyway) {
          if (!(grp.first < dest.first)) return false;
        } else if (!readers[i]!.every((r) => moving.has(r)) || !collect(i, k, dest, moving)) return false;
      } else if (!(ready(i) < dest.first)) return false;
    }
    return true;
  };
  for (let moved = true; moved; ) {
    moved = false;
    groups.forEach((grp, k) => {
      if (!grp) return;
      for (const m of [...grp.members].sort((a, b) => b - a)) {
        if (groupOf[m] !== k || readers[m]!.length === 0) continue;
        const into = target(m, k);
        // Only into a group that runs later: every move is forward, so the loop ends.
        if (into < 0 || !(groups[into]!.first > grp.first)) continue;
        const moving = new Set<number>();
        if (!collect(m, k, groups[into]!, moving) || groups[into]!.members.length + moving.size > MAX_GROUP_MEMBERS) continue;
        for (const x of moving) {
          grp.members.splice(grp.members.indexOf(x), 1);
          groups[into]!.members.push(x);
          groupOf[x] = into;
        }
        moved = true;
      }
    });
  }
}
