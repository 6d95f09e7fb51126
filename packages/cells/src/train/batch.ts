/**
 * A batch of sequences as flat float64 arrays, and the feeds of one window of it. Layouts: `x`
 * [T, B, I]; `y` [B, O] (loss at the last step) or [T, B, O] (every step); `mask` [B] or [T, B];
 * for variable-length models `lengths` [B] (steps t ≥ lengths[b] are padding: their loss terms
 * are left out, whatever the mask says).
 */
import { CellgradError, type NDArray } from '@cellgrad/graph';
import { checkLengths } from '../lengths.js';
import type { ModelSpec, WindowGraph } from './model.js';
import { lossScale } from './losses.js';

/** One batch of sequences. */
export interface Batch {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly mask: Float64Array;
  /** Each sequence's length, integers in 1..T (variable-length tasks; the model needs `lengths: true`). */
  readonly lengths?: Float64Array;
}

/**
 * Check a batch's sizes against the model; `caller` names the public function in the message. A
 * batch of another batch size is named as such: "gradientFlow: x has batch 8 but the model was
 * built for batch 16 (ModelSpec 'batch'; x is [T, B, I] = [30, 16, 2], 960 values, got 480)".
 */
export function checkBatch(spec: ModelSpec, batch: Batch, caller = 'batch'): void {
  const { steps: T, batch: B, input: I } = spec;
  const O = spec.loss.outputs;
  const last = spec.loss.at === 'last';
  if (typeof batch !== 'object' || batch === null)
    throw new CellgradError('usage', `${caller}: expected a batch { x, y, mask } of Float64Arrays, got ${batch === null ? 'null' : typeof batch}`);
  // Each array's layout, with the batch axis written B.
  const layouts = {
    x: { dims: [T, B, I], names: 'T, B, I' },
    y: last ? { dims: [B, O], names: 'B, O' } : { dims: [T, B, O], names: 'T, B, O' },
    mask: last ? { dims: [B], names: 'B' } : { dims: [T, B], names: 'T, B' },
  };
  for (const k of ['x', 'y', 'mask'] as const) {
    const { dims, names } = layouts[k];
    const want = dims.reduce((a, d) => a * d, 1);
    const got = batch[k];
    const layout = `${k} is [${names}] = [${dims.join(', ')}], ${want} values`;
    if (!(got instanceof Float64Array)) {
      throw new CellgradError(
        'usage',
        `${caller}: '${k}' must be a Float64Array (${layout}), got ${got === undefined ? 'nothing' : Array.isArray(got) ? 'an array' : typeof got}`,
      );
    }
    if (got.length === want) continue;
    const perExample = want / B;
    const otherBatch = got.length / perExample;
    if (Number.isInteger(otherBatch) && otherBatch > 0) {
      throw new CellgradError(
        'usage',
        `${caller}: ${k} has batch ${otherBatch} but the model was built for batch ${B} (ModelSpec 'batch'; ${layout}, got ${got.length})`,
      );
    }
    throw new CellgradError('usage', `${caller}: '${k}' holds ${got.length} values, which is not a whole batch (${layout}, with T=${T}, I=${I}, O=${O})`);
  }
  if (spec.lengths) {
    if (!(batch.lengths instanceof Float64Array))
      throw new CellgradError('usage', `${caller}: the model has variable lengths (ModelSpec 'lengths') and the batch has no 'lengths' Float64Array [B]`);
    checkLengths({ shape: [batch.lengths.length], data: batch.lengths }, { batch: B, steps: T }, `${caller}: lengths`);
  } else if (batch.lengths !== undefined) {
    throw new CellgradError('usage', `${caller}: the batch has 'lengths' but the model was built without them (set ModelSpec 'lengths: true')`);
  }
}

/** The loss mask with padding steps zeroed (`t ≥ lengths[b]`, loss at every step); the mask itself otherwise. */
export function effectiveMask(spec: ModelSpec, batch: Batch): Float64Array {
  if (!batch.lengths || spec.loss.at === 'last') return batch.mask;
  const B = spec.batch;
  return batch.mask.map((m, i) => (Math.floor(i / B) < batch.lengths![i % B]! ? m : 0));
}

/**
 * Check parameter values against the model: every parameter present, a Float64Array of its
 * shape's size; `caller` names the public function in the message.
 */
export function checkParamValues(shapes: Readonly<Record<string, readonly number[]>>, params: Readonly<Record<string, unknown>>, caller: string): void {
  if (typeof params !== 'object' || params === null)
    throw new CellgradError('usage', `${caller}: expected parameter values by name, got ${params === null ? 'null' : typeof params}`);
  for (const [name, shape] of Object.entries(shapes)) {
    const v = params[name];
    const want = shape.reduce((a, d) => a * d, 1);
    if (v === undefined)
      throw new CellgradError(
        'usage',
        `${caller}: no values for parameter '${name}' [${shape.join(',')}] (the model's parameters: ${Object.keys(shapes).join(', ')}; initModel(spec, seed) makes them all)`,
      );
    if (!(v instanceof Float64Array) || v.length !== want) {
      throw new CellgradError(
        'usage',
        `${caller}: parameter '${name}' must be a Float64Array of ${want} values for shape [${shape.join(',')}], got ${v instanceof Float64Array ? `${v.length} values` : typeof v}`,
      );
    }
  }
}

const nd = (data: Float64Array, shape: number[]): NDArray => ({ shape, data });

/** Feeds for the data inputs of window `w` (x, lengths, y, mask, loss_scale) from a whole-sequence batch. */
export function windowDataFeeds(spec: ModelSpec, w: Pick<WindowGraph, 'start' | 'length' | 'hasLoss'>, batch: Batch): Record<string, NDArray> {
  const { batch: B, input: I } = spec;
  const O = spec.loss.outputs;
  const { start: s, length: n } = w;
  const mask = effectiveMask(spec, batch);
  const feeds: Record<string, NDArray> = {
    x: nd(batch.x.subarray(s * B * I, (s + n) * B * I), [n, B, I]),
    loss_scale: nd(Float64Array.of(lossScale(mask)), []),
  };
  if (batch.lengths && spec.lengths) feeds.lengths = nd(batch.lengths, [B]);
  if (w.hasLoss) {
    if (spec.loss.at === 'last') {
      feeds.y = nd(batch.y, [B, O]);
      feeds.mask = nd(mask, [B]);
    } else {
      feeds.y = nd(batch.y.subarray(s * B * O, (s + n) * B * O), [n, B, O]);
      feeds.mask = nd(mask.subarray(s * B, (s + n) * B), [n, B]);
    }
  }
  return feeds;
}
