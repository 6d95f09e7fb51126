/**
 * Memory planning: every materialized value gets a region of one arena, reused by liveness. A value's
 * region is freed after the last step that reads it (through any view); a later value of fitting
 * size takes it (best fit). A fused loop whose input dies at that loop and is read element for
 * element writes its output in place, into the input's region. Sources (inputs, constants) and the
 * buffers behind graph outputs are never reused.
 */
import type { Graph } from '../../ir/node.js';
import { sizeOf } from '../../ir/shape.js';
import { isIdentity } from '../js/views.js';
import type { Fusion, Instruction } from './fuse-elementwise.js';

/** Where every materialized value lives in the arena (offsets in elements). */
export interface MemoryPlan {
  /** Arena offset of each node's buffer; −1 for nodes without a buffer. */
  readonly offsets: Float64Array;
  /** Arena size in elements. */
  readonly size: number;
  /** Elements all buffers would need without reuse. */
  readonly unplannedSize: number;
  /** Number of outputs written in place over a dying input. */
  readonly inPlace: number;
}

/** Regions start on 4-element (16-byte for float32) boundaries, for SIMD kernels. */
const ALIGN = 4;
const aligned = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

/** The node ids (buffers) a step reads. */
export function stepReads(f: Fusion, step: Instruction): number[] {
  if (step.kind === 'copy') return [f.copyFrom[step.id]!.base];
  if (step.kind === 'node') return f.inputViews[step.id]!.map((v) => v.base);
  const out: number[] = [];
  for (const id of step.members) {
    for (const v of f.inputViews[id]!) if (f.groupOf[v.base] !== f.groupOf[id]) out.push(v.base);
  }
  return out;
}

/** The node ids a step writes. */
export function stepWrites(step: Instruction): readonly number[] {
  return step.kind === 'fused' ? step.outputs : [step.id];
}

/** Plan the arena for a fused schedule of `g`. */
export function planMemory(g: Graph, f: Fusion): MemoryPlan {
  const n = g.nodes.length;
  const size = (id: number) => sizeOf(g.nodes[id]!.shape);
  const persistent = new Uint8Array(n);
  for (const id of f.sources) persistent[id] = 1;
  for (const v of f.outputViews) persistent[v.base] = 1;

  const reads = f.steps.map((s) => stepReads(f, s));
  const lastUse = new Int32Array(n).fill(-1);
  reads.forEach((ids, s) => ids.forEach((id) => (lastUse[id] = s)));

  const offsets = new Float64Array(n).fill(-1);
  let top = 0;
  let unplanned = 0;
  let inPlace = 0;
  const free: { offset: number; size: number }[] = [];
  const regionSize = new Float64Array(n);
  const take = (id: number): void => {
    const need = aligned(size(id));
    let best = -1;
    for (let k = 0; k < free.length; k++) {
      if (free[k]!.size >= need && (best < 0 || free[k]!.size < free[best]!.size)) best = k;
    }
    if (best >= 0) {
      const region = free.splice(best, 1)[0]!;
      offsets[id] = region.offset;
      regionSize[id] = region.size;
    } else {
      offsets[id] = top;
      regionSize[id] = need;
      top += need;
    }
  };

  for (const id of f.sources) {
    take(id);
    unplanned += aligned(size(id));
  }
  f.steps.forEach((step, s) => {
    const dying = new Set(reads[s]!.filter((id) => lastUse[id] === s && !persistent[id]));
    for (const id of stepWrites(step)) {
      unplanned += aligned(size(id));
      const donor = step.kind === 'fused' && !persistent[id] ? inPlaceDonor(f, step, id, dying, size) : -1;
      if (donor >= 0) {
        dying.delete(donor);
        offsets[id] = offsets[donor]!;
        regionSize[id] = regionSize[donor]!;
        inPlace++;
      } else take(id);
    }
    for (const id of dying) free.push({ offset: offsets[id]!, size: regionSize[id]! });
    for (const id of stepWrites(step)) if (lastUse[id] === -1 && !persistent[id]) free.push({ offset: offsets[id]!, size: regionSize[id]! });
  });
  return { offsets, size: Math.max(top, ALIGN), unplannedSize: unplanned, inPlace };
}

/** A dying input of the fused step read only element for element, of `out`'s size, or −1. */
function inPlaceDonor(f: Fusion, step: Instruction & { kind: 'fused' }, out: number, dying: ReadonlySet<number>, size: (id: number) => number): number {
  for (const base of dying) {
    if (size(base) !== size(out)) continue;
    let ok = true;
    for (const m of step.members) {
      for (const v of f.inputViews[m]!) if (v.base === base && !isIdentity(v, size(base))) ok = false;
    }
    if (ok) return base;
  }
  return -1;
}
