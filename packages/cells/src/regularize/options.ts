/**
 * The `regularize` and `mode` options of `unroll`, validated: which regularisers are on and with
 * what probability, and whether the graph is built for training (random masks, a `key` input) or
 * for evaluation (dropout is the identity, zoneout its expectation).
 */
import { CellgradError } from '@cellgrad/graph';

/** `'train'`: random masks from the graph's `key` input; `'eval'`: the deterministic expectation. */
export type RegularizeMode = 'train' | 'eval';

/**
 * Regularisers of an unrolled network; every value is a probability in [0, 1) (0 or absent: off).
 * @example
 * unroll(lstm, { input: 8, hidden: 32, batch: 16, steps: 50, layers: 2,
 *   regularize: { dropout: 0.3, variationalState: 0.25, weightDrop: 0.5, zoneout: { h: 0.05, c: 0.5 } } })
 */
export interface RegularizeOptions {
  /** Dropout on the outputs of every stacked layer but the top, i.e. between layers (PyTorch's `dropout`); a fresh mask per step. */
  readonly dropout?: number;
  /** Dropout on the input sequence `x`, a fresh mask per step and element. */
  readonly inputDropout?: number;
  /** Dropout on the top layer's per-step outputs (what `out` or the seq2one head sees), a fresh mask per step. */
  readonly outputDropout?: number;
  /** Variational dropout (Gal & Ghahramani 2016) on every layer's input: one mask per sequence, the same at every step. */
  readonly variationalInput?: number;
  /**
   * Variational dropout on the recurrent state fed into each step (the state `h`, or the cell's
   * first state when it has no `h`): one mask per sequence, the same at every step.
   */
  readonly variationalState?: number;
  /**
   * DropConnect on the recurrent weights (Merity, Keskar & Socher 2017): every parameter whose name
   * starts with `weight_hh` gets one dropout mask per forward pass, shared by all steps.
   */
  readonly weightDrop?: number;
  /**
   * Zoneout (Krueger et al. 2016): each state element keeps its previous value with this
   * probability. A number applies to every state; `{ h: 0.05, c: 0.5 }` sets rates per state.
   */
  readonly zoneout?: number | Readonly<Record<string, number>>;
}

/** `RegularizeOptions` with defaults filled in (0: off). */
export interface ResolvedRegularize {
  readonly dropout: number;
  readonly inputDropout: number;
  readonly outputDropout: number;
  readonly variationalInput: number;
  readonly variationalState: number;
  readonly weightDrop: number;
  /** Rate per state name; `'*'` for every state. */
  readonly zoneout: Readonly<Record<string, number>>;
}

const RATES = ['dropout', 'inputDropout', 'outputDropout', 'variationalInput', 'variationalState', 'weightDrop'] as const;
const KNOWN = [...RATES, 'zoneout'];

/** Every regulariser off. */
export const NO_REGULARIZE: ResolvedRegularize = Object.freeze({
  dropout: 0,
  inputDropout: 0,
  outputDropout: 0,
  variationalInput: 0,
  variationalState: 0,
  weightDrop: 0,
  zoneout: Object.freeze({}),
});

/** `p` when it is a probability in [0, 1); else a usage error naming option `name`. */
export function checkProbability(p: unknown, name: string, where: string): number {
  if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p >= 1) {
    throw new CellgradError('usage', `${where}: option '${name}' must be a probability in [0, 1), got ${JSON.stringify(p)}`);
  }
  return p;
}

/** Check `regularize` and `mode` (as given to unroll) and fill in the defaults. `where` prefixes errors. */
export function resolveRegularize(value: unknown, mode: unknown, where: string): { regularize: ResolvedRegularize; mode: RegularizeMode } {
  if (mode !== undefined && mode !== 'train' && mode !== 'eval') {
    throw new CellgradError('usage', `${where}: option 'mode' must be 'train' or 'eval', got ${JSON.stringify(mode)}`);
  }
  const m: RegularizeMode = mode ?? 'train';
  if (value === undefined) return { regularize: NO_REGULARIZE, mode: m };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CellgradError('usage', `${where}: option 'regularize' must be an object { ${KNOWN.join(', ')} }, got ${JSON.stringify(value)}`);
  }
  const o = value as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KNOWN.includes(k));
  if (unknown.length > 0) {
    const names = unknown.map((k) => `'regularize.${k}'`).join(', ');
    throw new CellgradError('usage', `${where}: unknown regulariser(s) ${names} (known: ${KNOWN.join(', ')})`);
  }
  const rates = Object.fromEntries(RATES.map((k) => [k, o[k] === undefined ? 0 : checkProbability(o[k], `regularize.${k}`, where)]));
  let zoneout: Record<string, number> = {};
  const z = o.zoneout;
  if (typeof z === 'object' && z !== null && !Array.isArray(z)) {
    zoneout = Object.fromEntries(Object.entries(z).map(([s, p]) => [s, checkProbability(p, `regularize.zoneout.${s}`, where)]));
  } else if (z !== undefined) zoneout = { '*': checkProbability(z, 'regularize.zoneout', where) };
  return { regularize: Object.freeze({ ...(rates as Omit<ResolvedRegularize, 'zoneout'>), zoneout: Object.freeze(zoneout) }), mode: m };
}

/** True when some regulariser is on. */
export function anyRegularizer(r: ResolvedRegularize): boolean {
  return RATES.some((k) => r[k] > 0) || Object.values(r.zoneout).some((p) => p > 0);
}

/** True when the unrolled graph needs a random `key` input: training mode with a regulariser on. */
export function needsKey(r: ResolvedRegularize, mode: RegularizeMode): boolean {
  return mode === 'train' && anyRegularizer(r);
}
