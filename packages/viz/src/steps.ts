/**
 * Where each node of a graph belongs in time: its step group (layer, time step, forward or
 * backward), which nodes are gradient nodes, and which steps repeat the previous one structurally
 * (same ops, types and wiring, modulo node ids) so that printing and drawing can fold them.
 */
import type { Graph, Node } from '@cellgrad/graph';

/** The forward or backward half of a time step. */
export type Phase = 'forward' | 'backward';

/** The nodes a graph computed during one time step of one layer, in one phase. */
export interface StepGroup {
  /** `l<layer>:<phase>`: the groups of one lane are the steps of one layer in one phase. */
  readonly lane: string;
  readonly layer: number;
  readonly phase: Phase;
  readonly step: number;
  /** Node ids, in graph order. */
  readonly ids: readonly number[];
}

/** Where nodes sit in time, as `sameStep` needs it. */
export type Placement = Pick<StepStructure, 'groupOf' | 'shared'>;

/** The time structure of a graph. */
export interface StepStructure {
  /** For each node id, its group (undefined for nodes outside any time step). */
  readonly groupOf: readonly (StepGroup | undefined)[];
  /**
   * Nodes of a step used by steps more than one step away: values shared by every step, such as a
   * weight transposed once (in step 0, by hash-consing) and used by all. They are not state.
   */
  readonly shared: ReadonlySet<number>;
  /** For each node id, whether it is a gradient node. */
  readonly backward: readonly boolean[];
  /** Each lane's groups, sorted by step. */
  readonly lanes: ReadonlyMap<string, readonly StepGroup[]>;
  /** Groups structurally equal to the previous step of their lane (never a lane's first or last). */
  readonly repeats: ReadonlySet<StepGroup>;
}

/**
 * A node is a gradient node when the reverse-mode transform tagged it (`scope.phase`) or when it is
 * computed from a gradient node (such as the sums accumulating a weight's gradient).
 */
export function backwardNodes(g: Graph): boolean[] {
  const out: boolean[] = [];
  for (const n of g.nodes) out[n.id] = n.scope?.phase === 'backward' || n.inputs.some((i) => out[i] === true);
  return out;
}

/** Group the nodes of `g` by (layer, step, phase) and find the steps that repeat their predecessor. */
export function stepStructure(g: Graph): StepStructure {
  const backward = backwardNodes(g);
  const byKey = new Map<string, { lane: string; layer: number; phase: Phase; step: number; ids: number[] }>();
  const groupOf: (StepGroup | undefined)[] = new Array(g.nodes.length).fill(undefined);
  for (const n of g.nodes) {
    const step = n.scope?.step;
    if (step === undefined) continue;
    const layer = n.scope?.layer ?? 0;
    const phase: Phase = backward[n.id] ? 'backward' : 'forward';
    const lane = `l${layer}:${phase}`;
    const key = `${lane}:${step}`;
    let group = byKey.get(key);
    if (!group) byKey.set(key, (group = { lane, layer, phase, step, ids: [] }));
    group.ids.push(n.id);
    groupOf[n.id] = group;
  }
  const lanes = new Map<string, StepGroup[]>();
  for (const group of byKey.values()) {
    const list = lanes.get(group.lane) ?? [];
    list.push(group);
    lanes.set(group.lane, list);
  }
  const shared = new Set<number>();
  for (const n of g.nodes) {
    const user = groupOf[n.id];
    for (const i of n.inputs) {
      const owner = groupOf[i];
      if (user && owner && Math.abs(user.step - owner.step) > 1) shared.add(i);
    }
  }
  const repeats = new Set<StepGroup>();
  const placed = { groupOf, shared };
  for (const list of lanes.values()) {
    list.sort((a, b) => a.step - b.step);
    // The strides of the current run of repeats (a node moves by the same stride at every step).
    let strides = new Map<number, number>();
    for (let i = 1; i < list.length - 1; i++) {
      const prev = list[i - 1]!;
      const cur = list[i]!;
      const run = new Map(strides);
      if (cur.step === prev.step + 1 && sameStep(g, placed, prev, cur, run)) {
        repeats.add(cur);
        strides = run;
      } else strides = new Map();
    }
  }
  return { groupOf, shared, backward, lanes, repeats };
}

/**
 * How a node of `group` refers to its input `i`, independently of node ids where possible: by
 * position inside its own step, or by lane, step offset and position from the end inside a
 * neighbouring step (the recurrent state, the layer below, the forward values of a backward step).
 * Any other input (outside the steps, far away, or shared by every step) is returned as its id, to
 * be compared structurally (`sameOther`).
 */
function inputRef(i: number, group: StepGroup, placed: Placement): string | number {
  const other = placed.groupOf[i];
  if (other === group) return `L${group.ids.indexOf(i)}`;
  if (other && !placed.shared.has(i) && Math.abs(other.step - group.step) <= 1) {
    const lane = other.lane === group.lane ? '' : other.lane;
    return `R${lane}${other.step - group.step}:${other.ids.length - 1 - other.ids.indexOf(i)}`;
  }
  return i;
}

/**
 * Attribute values agree when equal, or when numbers differ by the step distance `d` times the
 * node's `stride` (either sign, element by element): `slice {start=t}` and `pad {before=t,
 * after=T-1-t}` repeat with stride 1; the row slices of a hoisted step loop (`slice {start=t·B,
 * end=(t+1)·B}` of a value computed once for all T·B rows, and their gradients `pad {before=t·B}`)
 * repeat with stride B. `stride` is fixed by the first number that differs (`strideOf`).
 */
function sameAttr(a: unknown, b: unknown, d: number, stride: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') return b === a || (d > 0 && Math.abs(b - a) === d * stride);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, k) => sameAttr(x, b[k], d, stride));
  return a === b;
}

/** The first nonzero difference between numbers of `a` and `b` (element by element), or 0 when none differs. */
function firstShift(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return Math.abs(b - a);
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (let k = 0; k < a.length; k++) {
      const s = firstShift(a[k], b[k]);
      if (s !== 0) return s;
    }
  }
  return 0;
}

/** Attributes holding values (of `constant`, `fill`), never shifted with the step. */
const VALUE_ATTRS: ReadonlySet<string> = new Set(['data', 'value']);

/**
 * How far a node's shifted attributes move per step: the first shift between the two nodes'
 * attributes divided by the step distance `d`, when that is a whole number (else 1, so the
 * comparison fails on that attribute).
 */
function strideOf(a: Node, b: Node, keys: readonly string[], d: number): number {
  if (d === 0) return 1;
  for (const k of keys) {
    if (VALUE_ATTRS.has(k)) continue;
    const shift = firstShift(a.attrs[k], b.attrs[k]);
    if (shift !== 0) return Number.isInteger(shift / d) ? shift / d : 1;
  }
  return 1;
}

/**
 * The stride under which `a` and `b` have the same op, type and attributes (up to the step shift
 * `d` times that stride; 1 when no attribute shifts), or undefined when they differ. Inputs are not
 * looked at.
 */
function headStride(a: Node, b: Node, d: number): number | undefined {
  if (a.op !== b.op || a.dtype !== b.dtype || a.inputs.length !== b.inputs.length) return undefined;
  if (a.shape.length !== b.shape.length || a.shape.some((n, k) => n !== b.shape[k])) return undefined;
  const keys = Object.keys(a.attrs);
  if (keys.length !== Object.keys(b.attrs).length || !keys.every((k) => k in b.attrs)) return undefined;
  const stride = strideOf(a, b, keys, d);
  return keys.every((k) => sameAttr(a.attrs[k], b.attrs[k], VALUE_ATTRS.has(k) ? 0 : d, stride)) ? stride : undefined;
}

/**
 * Two nodes outside the compared steps match when they are the same node (a shared weight) or are
 * built the same way, up to the step shift, a few levels deep (the per-step slices of a sequence).
 */
function sameOther(g: Graph, a: number, b: number, d: number, depth = 3): boolean {
  if (a === b) return true;
  const na = g.nodes[a]!;
  const nb = g.nodes[b]!;
  if (depth === 0 || headStride(na, nb, d) === undefined) return false;
  return na.inputs.every((i, k) => sameOther(g, i, nb.inputs[k]!, d, depth - 1));
}

/**
 * True when step `b` has the same node sequence as step `a`, modulo ids. `strides` (by position in
 * the step) holds the stride each shifted node moved by in the previous comparison of a run: a node
 * must keep its stride along the run (`slice {start=t·B}` folds, `slice {start=t²}` does not); it is
 * filled in when empty.
 */
export function sameStep(g: Graph, placed: Placement, a: StepGroup, b: StepGroup, strides: Map<number, number> = new Map()): boolean {
  if (a.ids.length !== b.ids.length) return false;
  const d = Math.abs(b.step - a.step);
  return a.ids.every((id, k) => {
    const na = g.nodes[id]!;
    const nb = g.nodes[b.ids[k]!]!;
    const stride = headStride(na, nb, d);
    if (stride === undefined || (strides.has(k) && strides.get(k) !== stride)) return false;
    strides.set(k, stride);
    return na.inputs.every((i, m) => {
      const ra = inputRef(i, a, placed);
      const rb = inputRef(nb.inputs[m]!, b, placed);
      return typeof ra === 'number' && typeof rb === 'number' ? sameOther(g, ra, rb, d) : ra === rb;
    });
  });
}

/** "layer 1 · step 3 · backward" style name of a group (layer only when the graph has several). */
export function groupLabel(group: Pick<StepGroup, 'layer' | 'phase'>, steps: string, layered: boolean): string {
  return `${layered ? `layer ${group.layer} · ` : ''}${steps}${group.phase === 'backward' ? ' · backward' : ''}`;
}
