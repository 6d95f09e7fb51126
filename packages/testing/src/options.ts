/** The options of the `toPassGradcheck` matcher (and of `checkGradients`, which it calls). */
import type { GradcheckOptions } from '@cellgrad/autodiff';
import type { Feeds } from '@cellgrad/graph';

/**
 * What `expect(subject).toPassGradcheck(options)` accepts: `gradcheck`'s own options (tolerances,
 * mode, order, seed, which inputs and outputs), the sizes a cell is unrolled with (cells only; the
 * defaults are `cellgrad gradcheck`'s: input 3, hidden 4, batch 2, steps 5, one layer), and feeds.
 * @example
 * expect(lstm).toPassGradcheck({ steps: 3, mode: 'fast', order: 2 });
 * expect(graph).toPassGradcheck({ feeds, atol: 1e-6 });
 */
export interface GradcheckMatcherOptions extends Omit<GradcheckOptions, 'onProgress'> {
  /** Input width I of a cell (default 3). */
  readonly input?: number;
  /** Hidden width H of a cell (default 4). */
  readonly hidden?: number;
  /** Batch size of a cell (default 2). */
  readonly batch?: number;
  /** Time steps of a cell (default 5). */
  readonly steps?: number;
  /** Stacked layers of a cell (default 1). */
  readonly layers?: number;
  /** Unroll a cell in both directions (default false). */
  readonly bidirectional?: boolean;
  /** A variable-length batch: seeded lengths in 1..steps, padding masked (default false). */
  readonly lengths?: boolean;
  /** Lay a cell's `x` and `out` out as `[batch, steps, ·]` (default false). */
  readonly batchFirst?: boolean;
  /**
   * Values of the inputs. A graph without feeds gets uniform values in [−1, 1) seeded by `seed`
   * (`randomFeeds`); a cell gets `cellFeeds(cell, sizes, seed)`, and feeds given here replace those of the same name.
   */
  readonly feeds?: Feeds;
}

/** Every option name the matcher knows, to refuse a misspelt one. */
export const MATCHER_OPTION_NAMES: readonly string[] = [
  'eps',
  'atol',
  'rtol',
  'wrt',
  'outputs',
  'mode',
  'order',
  'seed',
  'timeAxes',
  'maxBytes',
  'input',
  'hidden',
  'batch',
  'steps',
  'layers',
  'bidirectional',
  'lengths',
  'batchFirst',
  'feeds',
];

/** The options that only make sense for a cell (a graph already has its sizes). */
export const CELL_ONLY_OPTIONS: readonly string[] = ['input', 'hidden', 'batch', 'steps', 'layers', 'bidirectional', 'lengths', 'batchFirst'];

/** The sizes a cell is checked at when the options do not say: the `cellgrad gradcheck` defaults. */
export const DEFAULT_CELL_SIZES = { input: 3, hidden: 4, batch: 2, steps: 5 } as const;
