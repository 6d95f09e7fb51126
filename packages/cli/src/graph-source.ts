/**
 * The graphs `print` and `save` work on: a cell (built-in or from a file) unrolled over T steps,
 * optionally with its gradient graph (of loss = sum(out), with respect to every input), or a graph
 * saved as JSON by `cellgrad save` / `serialize`.
 */
import { readFileSync } from 'node:fs';
import { castGraph, deserialize, extendGraph, type DType, type Graph } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
import { unroll, type LoopMode, type ScanMode } from '@cellgrad/cells';
import { resolveCells } from './cell-source.js';
import { existingFile } from './loader/load-cell-file.js';
import type { SizeOptions } from './options.js';

/** Options shared by `print` and `save`. */
export interface GraphSourceOptions extends SizeOptions {
  /** Add the gradient (of sum(out) for a cell; of the graph's only/`loss` output for a JSON graph). */
  readonly grad?: boolean;
  /** Element type (default float32 for cells; a JSON graph keeps its own unless given). */
  readonly dtype?: DType;
  /** The cell as an option (see cell-option.ts). */
  readonly cell?: string;
  /** Both directions per layer (`unroll`'s `bidirectional`; a cell only). */
  readonly bidirectional?: boolean;
  /** A variable-length batch with a `lengths` input (`unroll`'s `lengths`; a cell only). */
  readonly lengths?: boolean;
  /** x and out as [batch, steps, ·] (`unroll`'s `batchFirst`; a cell only). */
  readonly batchFirst?: boolean;
  /** `unroll`'s `scan` (default `'auto'`: a linear recurrence as `linear_scan`s; a cell only). */
  readonly scan?: ScanMode;
  /** `unroll`'s `loop` (default `'auto'`: one `loop` node per layer and direction from 256 steps on; a cell only). */
  readonly loop?: LoopMode;
}

/** A graph and what it is. */
export interface LabelledGraph {
  readonly label: string;
  readonly graph: Graph;
}

/** True when `arg` names a saved graph rather than a cell. */
export const isGraphJson = (arg: string): boolean => /\.json$/i.test(arg);

/** `g` plus a scalar output `loss` = sum(out), then differentiated with respect to every input. */
export function cellGradGraph(g: Graph): Graph {
  const withLoss = extendGraph(g, ({ outputs }) => ({ ...outputs, loss: outputs.out!.sum() }));
  return grad(withLoss, { of: 'loss' });
}

/** Read and validate a graph saved as JSON. */
export function readGraphJson(file: string): Graph {
  const abs = existingFile(file);
  return deserialize(readFileSync(abs, 'utf8'));
}

/** The graphs `arg` (a graph .json or a cell spec: `lstm`, `cells.ts`, `cells.ts:mgu`) names, built as the options say. */
export async function loadGraphs(arg: string, o: GraphSourceOptions): Promise<LabelledGraph[]> {
  if (isGraphJson(arg)) {
    let g = readGraphJson(arg);
    if (o.dtype) g = castGraph(g, o.dtype);
    if (o.grad) g = grad(g);
    return [{ label: arg, graph: g }];
  }
  const cells = await resolveCells(arg);
  const { input, hidden, batch, steps, layers } = o;
  return cells.map(({ label, cell }) => {
    const sequence = { bidirectional: o.bidirectional ?? false, lengths: o.lengths ?? false, batchFirst: o.batchFirst ?? false };
    const g = unroll(cell, { input, hidden, batch, steps, layers, dtype: o.dtype ?? 'float32', ...sequence, scan: o.scan ?? 'auto', loop: o.loop ?? 'auto' });
    return { label, graph: o.grad ? cellGradGraph(g) : g };
  });
}
