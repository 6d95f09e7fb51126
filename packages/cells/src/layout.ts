/**
 * The layout of an unrolled graph, computed without building it: every input's name, shape and
 * role (in graph order), every output, and the sizes of each stacked layer. `unroll` follows it
 * exactly, and feeds, initialisers and the reference checker use it to name things.
 */
import { CellgradError, formatShape, sameShape, type Shape } from '@cellgrad/graph';
import type { Cell, CellSizes } from './cell.js';
import { cellFail } from './define-cell.js';
import { resolveUnrollOptions, type ResolvedUnrollOptions, type UnrollOptions } from './options.js';

/** One input of an unrolled graph. */
export interface InputSpec {
  /** The graph input's name (`x`, `h0`, `weight_ih`, `weight_ih_l1`, ...). */
  readonly name: string;
  /** Its full shape. */
  readonly shape: Shape;
  /** `x` (the sequence), `state` (an initial state) or `param`. */
  readonly role: 'x' | 'state' | 'param';
  /** For `state` inputs: the state's name (`h` for `h0`). */
  readonly state?: string;
  /** For `param` inputs: the cell's parameter name (`weight_ih` for `weight_ih_l1`). */
  readonly param?: string;
  /** For `param` inputs: the layer it belongs to. */
  readonly layer?: number;
}

/** One output of an unrolled graph. */
export interface OutputSpec {
  /** `out`, or `<state>_T`. */
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
  /** Sizes of each layer (layer k > 0 takes the previous layer's output size as its input). */
  readonly layerSizes: readonly CellSizes[];
  /** Per-example state shapes (the same for every layer), in declaration order. */
  readonly stateShapes: Readonly<Record<string, Shape>>;
  /** Size of the per-step output of the top layer. */
  readonly outputSize: number;
  /** The graph's inputs, in graph order: `x`, initial states, then parameters layer by layer. */
  readonly inputs: readonly InputSpec[];
  /** The graph's outputs, in graph order: `out`, then `<state>_T` per state. */
  readonly outputs: readonly OutputSpec[];
}

/** The graph-input name of parameter `name` of layer `layer`: `name` alone for one layer, else `name_l<k>`. */
export function paramInputName(name: string, layer: number, layers: number): string {
  return layers === 1 ? name : `${name}_l${layer}`;
}

/** The sizes of each of `layers` stacked layers of `cell`, starting from `sizes`. */
export function layerSizesOf(cell: Cell, sizes: CellSizes, layers: number): CellSizes[] {
  const out: CellSizes[] = [];
  let input = sizes.input;
  for (let k = 0; k < layers; k++) {
    const s = { input, hidden: sizes.hidden };
    out.push(s);
    input = cell.outputSize(s);
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
  const layerSizes = layerSizesOf(cell, o, o.layers);
  const stateShapes = cell.stateShapes(layerSizes[0]!);
  for (let k = 1; k < o.layers; k++) {
    const sk = cell.stateShapes(layerSizes[k]!);
    for (const [s, shape] of Object.entries(stateShapes)) {
      if (!sk[s] || !sameShape(sk[s], shape)) {
        cellFail(cell.name, `state '${s}' has shape ${formatShape(shape)} in layer 0 but ${sk[s] ? formatShape(sk[s]) : 'is missing'} in layer ${k}; stacked layers need equal state shapes`);
      }
    }
  }
  const inputs: InputSpec[] = [{ name: 'x', shape: [o.steps, o.batch, o.input], role: 'x' }];
  for (const [s, shape] of Object.entries(stateShapes)) {
    inputs.push({ name: `${s}0`, shape: [o.layers, o.batch, ...shape], role: 'state', state: s });
  }
  layerSizes.forEach((sizes, k) => {
    for (const [p, shape] of Object.entries(cell.paramShapes(sizes))) {
      inputs.push({ name: paramInputName(p, k, o.layers), shape, role: 'param', param: p, layer: k });
    }
  });
  const seen = new Map<string, InputSpec>();
  for (const spec of inputs) {
    const prev = seen.get(spec.name);
    if (prev) {
      throw new CellgradError('cell', `cell '${cell.name}': two graph inputs would be named '${spec.name}' (${roleText(prev)} and ${roleText(spec)}); rename a parameter or state`);
    }
    seen.set(spec.name, spec);
  }
  const outputSize = cell.outputSize(layerSizes[o.layers - 1]!);
  const outputs: OutputSpec[] = [{ name: 'out', shape: [o.steps, o.batch, outputSize] }];
  for (const [s, shape] of Object.entries(stateShapes)) outputs.push({ name: `${s}_T`, shape: [o.layers, o.batch, ...shape], state: s });
  return Object.freeze({ cell: cell.name, options: o, layerSizes, stateShapes, outputSize, inputs, outputs });
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
  if (spec.role === 'state') return `the initial value of state '${spec.state}'`;
  return `parameter '${spec.param}' of layer ${spec.layer}`;
}
