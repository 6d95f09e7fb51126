/** The layers and directions of a network, with each one's sizes and parameter shapes, for the loaders. */
import { CellgradError, type Shape } from '@cellgrad/graph';
import type { Cell, CellSizes } from '../cell.js';
import { isCell } from '../define-cell.js';
import { layerSizesOf, paramInputName } from '../layout.js';

/** The network whose weights are loaded or saved. */
export interface WeightOptions {
  /** Input width of the first layer. */
  readonly input: number;
  /** Hidden width. */
  readonly hidden: number;
  /** Stacked layers (default 1). */
  readonly layers?: number;
  /** Two directions per layer (default false). */
  readonly bidirectional?: boolean;
}

/** One layer in one direction. */
export interface LayerDirection {
  readonly layer: number;
  readonly reverse: boolean;
  readonly sizes: CellSizes;
  /** The cell's parameter shapes at this layer. */
  readonly shapes: Readonly<Record<string, Shape>>;
  /** cellgrad's (unroll's) input name of parameter `p` here. */
  readonly ours: (p: string) => string;
}

/** Every layer and direction of `cell` under `options`, in PyTorch's order (l0, l0_reverse, l1, ...). */
export function walkLayers(cell: Cell, options: WeightOptions, fn: string): LayerDirection[] {
  if (!isCell(cell)) throw new CellgradError('usage', `${fn}: the first argument must be a cell made by defineCell`);
  const { input, hidden, layers = 1, bidirectional = false } = options ?? ({} as WeightOptions);
  for (const [k, v] of [
    ['input', input],
    ['hidden', hidden],
    ['layers', layers],
  ] as const) {
    if (!Number.isInteger(v) || v <= 0)
      throw new CellgradError('usage', `${fn}(cell '${cell.name}'): '${k}' must be a positive integer, got ${JSON.stringify(v)}`);
  }
  const dirs = bidirectional ? 2 : 1;
  const out: LayerDirection[] = [];
  layerSizesOf(cell, { input, hidden }, layers, dirs).forEach((sizes, layer) => {
    const shapes = cell.paramShapes(sizes);
    for (let d = 0; d < dirs; d++) out.push({ layer, reverse: d === 1, sizes, shapes, ours: (p) => paramInputName(p, layer, layers, d === 1) });
  });
  return out;
}
