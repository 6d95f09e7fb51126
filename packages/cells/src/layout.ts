/**
 * The layout of an unrolled graph, computed without building it: every input's name, shape and
 * role (in graph order), every output, and the sizes of each stacked layer. `unroll` follows it
 * exactly, and feeds, initialisers, weight loaders and the reference checker use it to name things.
 */
import { CellgradError, formatShape, KEY_SHAPE, sameShape, type Shape } from '@cellgrad/graph';
import type { Cell, CellSizes } from './cell.js';
import { cellFail } from './define-cell.js';
import { needsKey } from './regularize/options.js';
import { resolveUnrollOptions, type ResolvedUnrollOptions, type UnrollOptions } from './options.js';

/** One input of an unrolled graph. */
export interface InputSpec {
  /** The graph input's name (`x`, `h0`, `weight_ih`, `weight_ih_l1_reverse`, `head_weight`, ...). */
  readonly name: string;
  /** Its full shape. */
  readonly shape: Shape;
  /**
   * `x` (the sequence), `lengths` (each sequence's length, with the `lengths` option), `state` (an
   * initial state), `target` (the teacher-forcing targets), `param` (a cell parameter), `head` (a
   * parameter of the seq2one head) or `key` (the random key of the regularisers in train mode, fed
   * with `randomKey(seed)`).
   */
  readonly role: 'x' | 'lengths' | 'state' | 'target' | 'param' | 'head' | 'key';
  /** For `state` inputs: the state's name (`h` for `h0`). */
  readonly state?: string;
  /** For `param` and `head` inputs: the parameter's own name (`weight_ih` for `weight_ih_l1`). */
  readonly param?: string;
  /** For `param` inputs: the layer it belongs to. */
  readonly layer?: number;
  /** For `param` inputs: 0 forward, 1 reverse (bidirectional). */
  readonly direction?: 0 | 1;
}

/** One output of an unrolled graph. */
export interface OutputSpec {
  /** `out` (or `logits`, `probs` for seq2one), then `<state>_T`. */
  readonly name: string;
  readonly shape: Shape;
  /** For final-state outputs: the state's name. */
  readonly state?: string;
}

/** Everything about an unrolled graph's interface. */
export interface UnrollLayout {
  /** The cell's name. */
  readonly cell: string;
  /** The options with defaults filled in. */
  readonly options: ResolvedUnrollOptions;
  /** 1, or 2 when bidirectional. */
  readonly directions: 1 | 2;
  /** Sizes of each layer (layer k > 0 takes the previous layer's output, both directions, as input). */
  readonly layerSizes: readonly CellSizes[];
  /** Per-example state shapes (the same for every layer), in declaration order. */
  readonly stateShapes: Readonly<Record<string, Shape>>;
  /** Size of the per-step output of the top layer (both directions together). */
  readonly outputSize: number;
  /** The graph's inputs, in graph order: `x`, `lengths`, initial states, `targets`, parameters, head. */
  readonly inputs: readonly InputSpec[];
  /** The graph's outputs, in graph order: `out` (or `logits`, `probs`), then `<state>_T` per state. */
  readonly outputs: readonly OutputSpec[];
}

/**
 * The graph-input name of parameter `name` of layer `layer`: `name` alone for one layer, else
 * `name_l<k>`; `_reverse` appended for the reverse direction (as PyTorch).
 */
export function paramInputName(name: string, layer: number, layers: number, reverse = false): string {
  return `${name}${layers === 1 ? '' : `_l${layer}`}${reverse ? '_reverse' : ''}`;
}

/** The sizes of each of `layers` stacked layers of `cell`, starting from `sizes` (`directions` 2: bidirectional). */
export function layerSizesOf(cell: Cell, sizes: CellSizes, layers: number, directions = 1): CellSizes[] {
  const out: CellSizes[] = [];
  let input = sizes.input;
  for (let k = 0; k < layers; k++) {
    const s = { input, hidden: sizes.hidden };
    out.push(s);
    input = cell.outputSize(s) * directions;
  }
  return out;
}

/**
 * Describe the graph `unroll(cell, options)` builds: input and output names and shapes, in order.
 * @example
 * describeUnroll(lstm, { input: 3, hidden: 4, batch: 2, steps: 5 }).inputs.map((i) => i.name)
 * // ['x', 'h0', 'c0', 'weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']
 */
export function describeUnroll(cell: Cell, options: UnrollOptions, fn = 'describeUnroll'): UnrollLayout {
  const o = resolveUnrollOptions(cell, options, fn);
  const dirs = o.bidirectional ? 2 : 1;
  const layerSizes = layerSizesOf(cell, o, o.layers, dirs);
  const stateShapes = cell.stateShapes(layerSizes[0]!);
  for (let k = 1; k < o.layers; k++) {
    const sk = cell.stateShapes(layerSizes[k]!);
    for (const [s, shape] of Object.entries(stateShapes)) {
      if (!sk[s] || !sameShape(sk[s], shape)) {
        cellFail(
          cell.name,
          `state '${s}' has shape ${formatShape(shape)} in layer 0 but ${sk[s] ? formatShape(sk[s]) : 'is missing'} in layer ${k}; stacked layers need equal state shapes`,
        );
      }
    }
  }
  const outputSize = cell.outputSize(layerSizes[o.layers - 1]!) * dirs;
  // Batch-first graphs take and give sequences as [batch, steps, ·]; states never change layout.
  const seq = (width: number): number[] => (o.batchFirst ? [o.batch, o.steps, width] : [o.steps, o.batch, width]);
  const inputs: InputSpec[] = [{ name: 'x', shape: seq(o.input), role: 'x' }];
  if (o.lengths) inputs.push({ name: 'lengths', shape: [o.batch], role: 'lengths' });
  for (const [s, shape] of Object.entries(stateShapes)) {
    inputs.push({ name: `${s}0`, shape: [o.layers * dirs, o.batch, ...shape], role: 'state', state: s });
  }
  if (o.teacherForcing) inputs.push({ name: 'targets', shape: seq(outputSize), role: 'target' });
  layerSizes.forEach((sizes, k) => {
    for (let d = 0; d < dirs; d++) {
      for (const [p, shape] of Object.entries(cell.paramShapes(sizes))) {
        inputs.push({ name: paramInputName(p, k, o.layers, d === 1), shape, role: 'param', param: p, layer: k, direction: d as 0 | 1 });
      }
    }
  });
  if (o.pattern === 'seq2one') {
    inputs.push({ name: 'head_weight', shape: [o.classes, outputSize], role: 'head', param: 'head_weight' });
    inputs.push({ name: 'head_bias', shape: [o.classes], role: 'head', param: 'head_bias' });
  }
  if (needsKey(o.regularize, o.mode)) inputs.push({ name: 'key', shape: [...KEY_SHAPE], role: 'key' });
  const seen = new Map<string, InputSpec>();
  for (const spec of inputs) {
    const prev = seen.get(spec.name);
    if (prev) {
      throw new CellgradError(
        'cell',
        `cell '${cell.name}': two graph inputs would be named '${spec.name}' (${roleText(prev)} and ${roleText(spec)}); rename a parameter or state`,
      );
    }
    seen.set(spec.name, spec);
  }
  const outputs: OutputSpec[] =
    o.pattern === 'seq2one'
      ? [
          { name: 'logits', shape: [o.batch, o.classes] },
          { name: 'probs', shape: [o.batch, o.classes] },
        ]
      : [{ name: 'out', shape: seq(outputSize) }];
  for (const [s, shape] of Object.entries(stateShapes)) outputs.push({ name: `${s}_T`, shape: [o.layers * dirs, o.batch, ...shape], state: s });
  return Object.freeze({ cell: cell.name, options: o, directions: dirs, layerSizes, stateShapes, outputSize, inputs, outputs });
}

/**
 * The inputs of `unroll(cell, options)` in graph order, with names and shapes (useful for feeds).
 * @example
 * cellInputs(gru, { input: 3, hidden: 4, batch: 2, steps: 5, layers: 2 }).map((i) => `${i.name}${JSON.stringify(i.shape)}`)
 */
export function cellInputs(cell: Cell, options: UnrollOptions): readonly InputSpec[] {
  return describeUnroll(cell, options, 'cellInputs').inputs;
}

function roleText(spec: InputSpec): string {
  if (spec.role === 'x') return 'the input sequence';
  if (spec.role === 'lengths') return 'the sequence lengths';
  if (spec.role === 'target') return 'the teacher-forcing targets';
  if (spec.role === 'state') return `the initial value of state '${spec.state}'`;
  if (spec.role === 'head') return `head parameter '${spec.param}'`;
  return `parameter '${spec.param}' of layer ${spec.layer}${spec.direction === 1 ? ' (reverse)' : ''}`;
}
