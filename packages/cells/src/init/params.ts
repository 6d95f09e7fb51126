/**
 * Seeded parameter initialisation. The default is PyTorch's for its recurrent layers: every weight
 * and bias ~ U(−1/√H, 1/√H). A cell's own `init` may supply some or all parameters instead.
 * Draws happen layer by layer, parameter by parameter in declaration order, so a seed reproduces
 * the values exactly.
 */
import { allocate, CellgradError, checkDType, createRng, formatShape, sizeOf, type DType, type NDArray, type Rng } from '@cellgrad/graph';
import type { Cell, CellSizes } from '../cell.js';
import { isCell } from '../define-cell.js';
import { layerSizesOf, paramInputName } from '../layout.js';

/** Options of `initParams`. */
export interface InitOptions {
  /** Seed of the generator (default 0). */
  readonly seed?: number;
  /** Element type of the arrays (default `float64`). */
  readonly dtype?: DType;
  /** Number of stacked layers (default 1); names get `_l<k>` when more than one. */
  readonly layers?: number;
  /** Two directions per layer (default false); the reverse direction's names end in `_reverse`. */
  readonly bidirectional?: boolean;
  /** Also initialise a seq2one head of this many classes (`head_weight`, `head_bias`; nn.Linear's U(−1/√in, 1/√in)). */
  readonly classes?: number;
}

/** Fill `out` with the cell's default U(−1/√H, 1/√H) draws. */
function defaultFill(rng: Rng, hidden: number, out: Float64Array): void {
  const bound = 1 / Math.sqrt(hidden);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-bound, bound);
}

function customValues(cell: Cell, sizes: CellSizes, rng: Rng, layer: number): Record<string, Float64Array | readonly number[]> {
  if (!cell.init) return {};
  let raw: unknown;
  try {
    raw = cell.init(sizes, rng);
  } catch (e) {
    if (e instanceof CellgradError) throw e;
    const err = new CellgradError('cell', `cell '${cell.name}': init threw (layer ${layer}): ${e instanceof Error ? e.message : String(e)}`);
    err.cause = e;
    throw err;
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new CellgradError('cell', `cell '${cell.name}': init must return an object mapping parameter names to values`);
  }
  return raw as Record<string, Float64Array | readonly number[]>;
}

/**
 * Initial values for every parameter of `cell` (all layers), named as `unroll` names them.
 * @example
 * const params = initParams(getBuiltinCell('lstm'), { input: 3, hidden: 4 }, { seed: 7, layers: 2 });
 * params.weight_ih_l1.shape // [16, 4]
 */
export function initParams(cell: Cell, sizes: CellSizes, options: InitOptions = {}): Record<string, NDArray> {
  if (!isCell(cell)) throw new CellgradError('usage', 'initParams: the first argument must be a cell made by defineCell');
  const { seed = 0, dtype = 'float64', layers = 1, bidirectional = false, classes } = options;
  const dirs = bidirectional ? 2 : 1;
  if (classes !== undefined && (!Number.isInteger(classes) || classes <= 0))
    throw new CellgradError('usage', `initParams(cell '${cell.name}'): 'classes' must be a positive integer, got ${JSON.stringify(classes)}`);
  for (const [k, v] of [
    ['input', sizes?.input],
    ['hidden', sizes?.hidden],
    ['layers', layers],
  ] as const) {
    if (!Number.isInteger(v) || (v as number) <= 0)
      throw new CellgradError('usage', `initParams(cell '${cell.name}'): '${k}' must be a positive integer, got ${JSON.stringify(v)}`);
  }
  if (!Number.isInteger(seed)) throw new CellgradError('usage', `initParams(cell '${cell.name}'): 'seed' must be an integer, got ${JSON.stringify(seed)}`);
  checkDType(dtype, `initParams(cell '${cell.name}')`);
  const rng = createRng(seed);
  const out: Record<string, NDArray> = {};
  const layerSizes = layerSizesOf(cell, sizes, layers, dirs);
  for (const [k, s] of layerSizes.entries())
    for (let d = 0; d < dirs; d++) {
      const shapes = cell.paramShapes(s);
      const custom = customValues(cell, s, rng, k);
      for (const key of Object.keys(custom)) {
        if (!(key in shapes))
          throw new CellgradError(
            'cell',
            `cell '${cell.name}': init returned '${key}', which is not a parameter (parameters: ${Object.keys(shapes).join(', ')})`,
          );
      }
      for (const [p, shape] of Object.entries(shapes)) {
        const n = sizeOf(shape);
        const values = allocate('float64', n) as Float64Array;
        const given = custom[p];
        if (given === undefined) defaultFill(rng, s.hidden, values);
        else {
          if (given.length !== n)
            throw new CellgradError(
              'cell',
              `cell '${cell.name}': init returned ${given.length} values for '${p}', expected ${n} (shape ${formatShape(shape)})`,
            );
          for (let i = 0; i < n; i++) {
            const v = given[i]!;
            if (!Number.isFinite(v)) throw new CellgradError('cell', `cell '${cell.name}': init returned a non-finite value (${v}) for '${p}' at index ${i}`);
            values[i] = v;
          }
        }
        const data = allocate(dtype, n);
        data.set(values);
        out[paramInputName(p, k, layers, d === 1)] = { shape: [...shape], data };
      }
    }
  if (classes !== undefined) {
    const width = cell.outputSize(layerSizes[layers - 1]!) * dirs;
    const bound = 1 / Math.sqrt(width);
    for (const [name, shape] of [
      ['head_weight', [classes, width]],
      ['head_bias', [classes]],
    ] as const) {
      const data = allocate(dtype, sizeOf(shape));
      for (let i = 0; i < data.length; i++) data[i] = rng.uniform(-bound, bound);
      out[name] = { shape: [...shape], data };
    }
  }
  return out;
}
