/**
 * Measuring what backpropagation keeps: the forward values ("activations") that the backward part
 * of a gradient graph reads, counted and in bytes. Inputs and constants are not counted (they exist
 * anyway); everything else the backward pass reads must be stored from the forward pass.
 */
import { sizeOf, type Graph } from '@cellgrad/graph';

/** A count of stored values. */
export interface Stored {
  /** Number of tensors. */
  readonly values: number;
  /** Their total size in bytes. */
  readonly bytes: number;
}

const SOURCES = new Set(['input', 'constant', 'fill']);

/** The forward values of a gradient graph (made by `grad`) that its backward nodes read. */
export function storedActivations(g: Graph): Stored {
  const read = new Uint8Array(g.nodes.length);
  for (const n of g.nodes) {
    if (n.scope?.phase !== 'backward') continue;
    for (const i of n.inputs) read[i] = 1;
  }
  let values = 0;
  let bytes = 0;
  for (const n of g.nodes) {
    if (!read[n.id] || n.scope?.phase === 'backward' || SOURCES.has(n.op)) continue;
    values++;
    bytes += sizeOf(n.shape) * (n.dtype === 'float64' ? 8 : 4);
  }
  return { values, bytes };
}

/** What a BPTT strategy stores, next to what full BPTT would store. */
export interface MemoryReport {
  /** The strategy, e.g. `checkpoint(every 10)`. */
  readonly strategy: string;
  /** Windows the sequence is cut into. */
  readonly windows: number;
  /** Stored activations at the peak of this strategy (checkpointed states plus one window's). */
  readonly stored: Stored;
  /** Stored activations of full BPTT over the same sequence. */
  readonly full: Stored;
  /** 1 − stored.bytes / full.bytes. */
  readonly saved: number;
  /**
   * RTRL strategies: each example's influence matrix M = ∂s/∂θ, |s| rows by |θ| columns, of which
   * `entries` are stored (all for exact RTRL, the sparsity pattern's for SnAp-1). `stored` then
   * counts the influence matrices and the carried states of the batch, which do not grow with T.
   */
  readonly influence?: { readonly rows: number; readonly cols: number; readonly entries: number };
}
