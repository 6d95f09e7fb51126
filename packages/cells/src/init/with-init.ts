/**
 * `withInit`: the same cell with other initialisers for some parameters (say, Keras's Glorot
 * kernel, orthogonal recurrent kernel and unit forget bias), leaving the step untouched.
 */
import { CellgradError } from '@cellgrad/graph';
import type { Cell, InitFn } from '../cell.js';
import { defineCell, isCell } from '../define-cell.js';
import { registerWeightFamily, weightFamily } from '../weights/family.js';
import type { Initializer } from './initializers.js';

/** An `InitFn` from initialisers by parameter name (parameters not named keep the default). */
export function initScheme(cell: Cell, spec: Readonly<Record<string, Initializer>>): InitFn {
  return (sizes, rng) => {
    const shapes = cell.paramShapes(sizes);
    const base = cell.init ? cell.init(sizes, rng) : {};
    const out: Record<string, Float64Array | readonly number[]> = { ...base };
    for (const [name, initializer] of Object.entries(spec)) {
      const shape = shapes[name];
      if (!shape)
        throw new CellgradError(
          'cell',
          `cell '${cell.name}': cannot initialise '${name}', which is not a parameter (parameters: ${Object.keys(shapes).join(', ')})`,
        );
      out[name] = initializer(shape, rng, sizes.hidden);
    }
    return out;
  };
}

/**
 * The cell `cell` with the given initialisers (by parameter name) on top of its own `init`.
 * @example
 * const { glorotUniform, orthogonal, gateBias, zeros } = initializers;
 * const kerasLstm = withInit(lstm, { weight_ih: glorotUniform(), weight_hh: orthogonal(), bias_ih: gateBias(1, 1), bias_hh: zeros() });
 */
export function withInit(cell: Cell, spec: Readonly<Record<string, Initializer>>, name: string = cell.name): Cell {
  if (!isCell(cell)) throw new CellgradError('usage', 'withInit: the first argument must be a cell made by defineCell');
  const family = weightFamily(cell);
  const made = defineCell({
    name,
    ...(cell.doc !== undefined ? { doc: cell.doc } : {}),
    ...(cell.output !== undefined ? { output: cell.output } : {}),
    params: (s) => ({ ...cell.paramShapes(s) }),
    state: (s) => ({ ...cell.stateShapes(s) }),
    outputSize: (s) => cell.outputSize(s),
    step: cell.step,
    init: initScheme(cell, spec),
  });
  return family ? registerWeightFamily(made, family) : made;
}
