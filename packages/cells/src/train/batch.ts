/**
 * A batch of sequences as flat float64 arrays, and the feeds of one window of it. Layouts: `x`
 * [T, B, I]; `y` [B, O] (loss at the last step) or [T, B, O] (every step); `mask` [B] or [T, B].
 */
import { CellgradError, type NDArray } from '@cellgrad/graph';
import type { ModelSpec, WindowGraph } from './model.js';
import { lossScale } from './losses.js';

/** One batch of sequences. */
export interface Batch {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly mask: Float64Array;
}

/** Check a batch's sizes against the model. */
export function checkBatch(spec: ModelSpec, batch: Batch): void {
  const { steps: T, batch: B, input: I } = spec;
  const O = spec.loss.outputs;
  const last = spec.loss.at === 'last';
  const want = { x: T * B * I, y: last ? B * O : T * B * O, mask: last ? B : T * B };
  for (const k of ['x', 'y', 'mask'] as const) {
    if (!(batch[k] instanceof Float64Array) || batch[k].length !== want[k]) {
      throw new CellgradError('usage', `batch: '${k}' must be a Float64Array of ${want[k]} values for T=${T}, B=${B}, I=${I}, O=${O} (got ${batch[k]?.length})`);
    }
  }
}

const nd = (data: Float64Array, shape: number[]): NDArray => ({ shape, data });

/** Feeds for the data inputs of window `w` (x, y, mask, loss_scale) from a whole-sequence batch. */
export function windowDataFeeds(spec: ModelSpec, w: Pick<WindowGraph, 'start' | 'length' | 'hasLoss'>, batch: Batch): Record<string, NDArray> {
  const { batch: B, input: I } = spec;
  const O = spec.loss.outputs;
  const { start: s, length: n } = w;
  const feeds: Record<string, NDArray> = {
    x: nd(batch.x.subarray(s * B * I, (s + n) * B * I), [n, B, I]),
    loss_scale: nd(Float64Array.of(lossScale(batch.mask)), []),
  };
  if (w.hasLoss) {
    if (spec.loss.at === 'last') {
      feeds.y = nd(batch.y, [B, O]);
      feeds.mask = nd(batch.mask, [B]);
    } else {
      feeds.y = nd(batch.y.subarray(s * B * O, (s + n) * B * O), [n, B, O]);
      feeds.mask = nd(batch.mask.subarray(s * B, (s + n) * B), [n, B]);
    }
  }
  return feeds;
}
