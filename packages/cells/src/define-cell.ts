/**
 * `defineCell`: checks a cell declaration and returns a frozen `Cell`. Shapes depend on the sizes,
 * so they are validated when asked for (by `unroll`, `initParams`, ...), with errors naming the cell.
 */
import { CellgradError, type Shape } from '@cellgrad/graph';
import type { Cell, CellDef, CellSizes, StepFn } from './cell.js';

const cells = new WeakSet<object>();

/** Throw a `cell` error about cell `name`. */
export function cellFail(name: string, message: string): never {
  throw new CellgradError('cell', `cell '${name}': ${message}`);
}

/** True when `value` is a cell made by `defineCell`. */
export function isCell(value: unknown): value is Cell {
  return typeof value === 'object' && value !== null && cells.has(value);
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkShapes(name: string, what: 'params' | 'state', fn: (s: CellSizes) => Record<string, Shape>, sizes: CellSizes): Readonly<Record<string, Shape>> {
  let raw: unknown;
  try {
    raw = fn(sizes);
  } catch (e) {
    if (e instanceof CellgradError) throw e;
    const err = new CellgradError('cell', `cell '${name}': ${what}(${JSON.stringify(sizes)}) threw: ${(e as Error)?.message ?? String(e)}`);
    err.cause = e;
    throw err;
  }
  if (!isRecord(raw)) cellFail(name, `${what}(sizes) must return an object mapping names to shapes, got ${JSON.stringify(raw)}`);
  const entries = Object.entries(raw);
  if (what === 'state' && entries.length === 0) cellFail(name, 'state(sizes) must declare at least one state');
  const out: Record<string, Shape> = {};
  for (const [key, shape] of entries) {
    const label = what === 'params' ? `parameter '${key}'` : `state '${key}'`;
    if (!Array.isArray(shape)) cellFail(name, `${label} has shape ${JSON.stringify(shape)}, which is not an array of positive integers`);
    const bad = shape.find((d) => !Number.isInteger(d) || (d as number) <= 0);
    if (bad !== undefined || shape.some((d) => d === undefined)) {
      cellFail(name, `${label} has shape ${JSON.stringify(shape)}: every dimension must be a positive integer (sizes ${JSON.stringify(sizes)})`);
    }
    out[key] = Object.freeze([...(shape as number[])]);
  }
  if (what === 'state' && 'x' in out) cellFail(name, `a state may not be named 'x' (that name is the step's input)`);
  return Object.freeze(out);
}

/**
 * Define a recurrent cell. The definition is checked now (name, functions, output name); shapes
 * are checked whenever the cell is used with concrete sizes.
 * @example
 * const mgu = defineCell({
 *   name: 'mgu',
 *   params: ({ input: I, hidden: H }) => ({ W: [2 * H, I], U: [2 * H, H], b: [2 * H] }),
 *   state: ({ hidden: H }) => ({ h: [H] }),
 *   step: ({ x, h }, { W, U, b }) => {
 *     const [wf, wn] = W.split(2, 0), [uf, un] = U.split(2, 0), [bf, bn] = b.split(2);
 *     const f = linear(x, wf, bf).add(linear(h, uf)).sigmoid();
 *     const n = linear(x, wn, bn).add(linear(h.mul(f), un)).tanh();
 *     return { h: f.oneMinus().mul(h).add(f.mul(n)) };
 *   },
 * });
 */
export function defineCell<P extends string, S extends string>(def: CellDef<P, S>): Cell {
  if (!isRecord(def)) throw new CellgradError('cell', `defineCell: expected a cell definition object, got ${JSON.stringify(def)}`);
  const name = def.name;
  if (typeof name !== 'string' || name.length === 0)
    throw new CellgradError('cell', `defineCell: a cell needs a non-empty string 'name', got ${JSON.stringify(name)}`);
  for (const key of ['params', 'state', 'step'] as const) {
    if (typeof def[key] !== 'function') cellFail(name, `missing '${key}' (it must be a function, got ${typeof def[key]})`);
  }
  for (const key of ['outputSize', 'init'] as const) {
    if (def[key] !== undefined && typeof def[key] !== 'function') cellFail(name, `'${key}' must be a function when given, got ${typeof def[key]}`);
  }
  if (def.output !== undefined && (typeof def.output !== 'string' || def.output.length === 0 || def.output === 'x')) {
    cellFail(name, `'output' must name a value the step returns, got ${JSON.stringify(def.output)}`);
  }
  if (def.doc !== undefined && typeof def.doc !== 'string') cellFail(name, `'doc' must be a string when given`);
  const { params, state, step, outputSize, init } = def;

  const cell: Cell = {
    name,
    doc: def.doc,
    output: def.output,
    // Sound: step is only ever called with exactly the declared parameters and states.
    step: step as StepFn,
    init,
    paramShapes: (sizes) => checkShapes(name, 'params', params, sizes),
    stateShapes: (sizes) => checkShapes(name, 'state', state, sizes),
    outputSize: (sizes) => {
      const n = outputSize ? outputSize(sizes) : sizes.hidden;
      if (!Number.isInteger(n) || n <= 0) cellFail(name, `outputSize(${JSON.stringify(sizes)}) must be a positive integer, got ${JSON.stringify(n)}`);
      return n;
    },
  };
  Object.freeze(cell);
  cells.add(cell);
  return cell;
}
