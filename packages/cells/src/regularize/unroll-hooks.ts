/**
 * The regularisers' hook into `unroll`: given the unrolled network's layout and its `key` input,
 * the functions unroll calls at four places: on each layer's inputs (input and variational input
 * dropout), on each layer's outputs (dropout between layers, output dropout), on the parameters of
 * a layer (weight drop) and around each step (variational state dropout before, zoneout after).
 */
import { CellgradError, type Tensor } from '@cellgrad/graph';
import type { Cell } from '../cell.js';
import type { StepResult } from '../step.js';
import { dropout, zoneout } from './masks.js';
import { anyRegularizer, needsKey, type RegularizeMode, type ResolvedRegularize } from './options.js';
import { streamId } from './streams.js';

/** What a regularised direction does around its steps (see `runDirection`). */
export interface StepHooks {
  /** The parameters every step of the direction sees (weight drop). */
  readonly params: (params: Readonly<Record<string, Tensor>>) => Record<string, Tensor>;
  /** The states fed into step `t` (variational state dropout). */
  readonly before: (states: Readonly<Record<string, Tensor>>, t: number) => Record<string, Tensor>;
  /** The result of step `t` given the states before it (zoneout). */
  readonly after: (prev: Readonly<Record<string, Tensor>>, result: StepResult, t: number) => StepResult;
}

/** The hook unroll calls; absent when no regulariser is on. */
export interface UnrollRegularizer {
  /** Layer `layer`'s inputs by time index (x for layer 0); `inputs[0]` is time index `start` (default 0). */
  layerInputs(layer: number, inputs: readonly Tensor[], start?: number): Tensor[];
  /** Layer `layer`'s outputs of direction `direction`, by time index; `outputs[0]` is time index `start` (default 0). */
  layerOutputs(layer: number, direction: number, outputs: readonly Tensor[], start?: number): Tensor[];
  /** The step hooks of one layer and direction. */
  stepHooks(layer: number, direction: number): StepHooks;
}

/** What the hook needs to know about the unrolled network. */
export interface RegularizerArgs {
  readonly regularize: ResolvedRegularize;
  readonly mode: RegularizeMode;
  readonly layers: number;
  /** The state names, in declaration order. */
  readonly states: readonly string[];
  /** The cell's own parameter names. */
  readonly params: readonly string[];
  /** The graph's `key` input (present in train mode with a regulariser on). */
  readonly key?: Tensor;
}

/** The state variational state dropout masks: `h`, or the first state. */
export function droppedState(states: readonly string[]): string {
  return states.includes('h') ? 'h' : states[0]!;
}

/** Zoneout rate of each state (0 for none), from `{ '*': z }` or per-state rates; unknown names are an error. */
function zoneoutRates(cell: Cell, r: ResolvedRegularize, states: readonly string[]): number[] {
  for (const s of Object.keys(r.zoneout)) {
    if (s !== '*' && !states.includes(s)) {
      const where = `unroll(cell '${cell.name}')`;
      throw new CellgradError('usage', `${where}: option 'regularize.zoneout.${s}' names no state of the cell (states: ${states.join(', ')})`);
    }
  }
  return states.map((s) => r.zoneout[s] ?? r.zoneout['*'] ?? 0);
}

/**
 * The regulariser hook of an unrolled network, or undefined when every regulariser is off.
 * @example
 * const reg = unrollRegularizer(cell, { regularize, mode, layers, states, params, key });
 * const inputs = reg ? reg.layerInputs(0, xs) : xs;
 */
export function unrollRegularizer(cell: Cell, a: RegularizerArgs): UnrollRegularizer | undefined {
  const r = a.regularize;
  if (!anyRegularizer(r)) return undefined;
  const key = a.key;
  if (needsKey(r, a.mode) && !key) throw new CellgradError('usage', `unroll(cell '${cell.name}'): regularising in 'train' mode needs the graph's 'key' input`);
  const mode = a.mode;
  const where = `unroll(cell '${cell.name}')`;
  const recurrent = a.params.filter((p) => p.startsWith('weight_hh'));
  if (r.weightDrop > 0 && recurrent.length === 0) {
    throw new CellgradError(
      'usage',
      `${where}: option 'regularize.weightDrop' drops recurrent weights (parameters named weight_hh…), ` +
        `and the cell has none (parameters: ${a.params.join(', ')})`,
    );
  }
  if (r.dropout > 0 && a.layers === 1) {
    throw new CellgradError(
      'usage',
      `${where}: option 'regularize.dropout' acts between stacked layers, and there is one layer; use 'outputDropout' or 'inputDropout'`,
    );
  }
  const rates = zoneoutRates(cell, r, a.states);
  const dropped = droppedState(a.states);
  return {
    layerInputs: (layer, inputs, start = 0) =>
      inputs.map((x, i) => {
        let y = layer === 0 ? dropout(x, key, r.inputDropout, streamId('inputDropout', { step: start + i }), mode) : x;
        y = dropout(y, key, r.variationalInput, streamId('variationalInput', { layer }), mode);
        return y;
      }),
    layerOutputs: (layer, direction, outputs, start = 0) => {
      const [site, p] = layer === a.layers - 1 ? (['outputDropout', r.outputDropout] as const) : (['dropout', r.dropout] as const);
      return outputs.map((y, i) => dropout(y, key, p, streamId(site, { layer, direction, step: start + i }), mode));
    },
    stepHooks: (layer, direction) => ({
      params: (params) =>
        Object.fromEntries(
          Object.entries(params).map(([name, w]) => [
            name,
            recurrent.includes(name) ? dropout(w, key, r.weightDrop, streamId('weightDrop', { layer, direction, slot: recurrent.indexOf(name) }), mode) : w,
          ]),
        ),
      before: (states) => {
        const stream = streamId('variationalState', { layer, direction });
        return { ...states, [dropped]: dropout(states[dropped]!, key, r.variationalState, stream, mode) };
      },
      after: (prev, result, t) => {
        if (rates.every((z) => z === 0)) return result;
        const states: Record<string, Tensor> = {};
        a.states.forEach((s, i) => {
          states[s] = zoneout(prev[s]!, result.states[s]!, key, rates[i]!, streamId('zoneout', { layer, direction, slot: i, step: t }), mode);
        });
        const same = a.states.find((s) => result.states[s] === result.output);
        return { states, output: same === undefined ? result.output : states[same]! };
      },
    }),
  };
}
