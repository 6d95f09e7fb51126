/**
 * What the matcher checks: a cell (unrolled in float64 at the given sizes, with seeded feeds) or a
 * graph (with the given or seeded feeds), turned into one graph, its feeds and a label for messages.
 */
import { CellgradError, type Feeds, type Graph } from '@cellgrad/graph';
import { cellFeeds, isCell, randomFeeds, unroll, type Cell, type UnrollOptions } from '@cellgrad/cells';
import { CELL_ONLY_OPTIONS, DEFAULT_CELL_SIZES, MATCHER_OPTION_NAMES, type GradcheckMatcherOptions } from './options.js';

/** A graph ready to be checked. */
export interface GradcheckSubject {
  readonly graph: Graph;
  readonly feeds: Feeds;
  /** What it is, for messages: `cell 'mgu' (input 3, hidden 4, …; float64, seed 0)` or `graph (inputs a, b; outputs loss)`. */
  readonly label: string;
  /** Time axes of sequence inputs and outputs, so the table names time steps. */
  readonly timeAxes: Readonly<Record<string, number>>;
}

/** True for a frozen `Graph` value (nodes, inputs and outputs arrays). */
function isGraph(x: unknown): x is Graph {
  if (typeof x !== 'object' || x === null) return false;
  const g = x as Partial<Graph>;
  return Array.isArray(g.nodes) && Array.isArray(g.inputs) && Array.isArray(g.outputs);
}

function checkOptionNames(options: object): void {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CellgradError('usage', `toPassGradcheck: options must be an object, got ${JSON.stringify(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!MATCHER_OPTION_NAMES.includes(key)) {
      throw new CellgradError('usage', `toPassGradcheck: unknown option '${key}' (known: ${MATCHER_OPTION_NAMES.join(', ')})`);
    }
  }
}

function cellSubject(cell: Cell, o: GradcheckMatcherOptions): GradcheckSubject {
  const seed = o.seed ?? 0;
  const unrollOptions: UnrollOptions = {
    input: o.input ?? DEFAULT_CELL_SIZES.input,
    hidden: o.hidden ?? DEFAULT_CELL_SIZES.hidden,
    batch: o.batch ?? DEFAULT_CELL_SIZES.batch,
    steps: o.steps ?? DEFAULT_CELL_SIZES.steps,
    layers: o.layers ?? 1,
    bidirectional: o.bidirectional ?? false,
    lengths: o.lengths ?? false,
    batchFirst: o.batchFirst ?? false,
    dtype: 'float64',
  };
  const graph = unroll(cell, unrollOptions);
  const feeds = { ...cellFeeds(cell, unrollOptions, seed), ...(o.feeds ?? {}) };
  const { input, hidden, batch, steps, layers } = unrollOptions;
  const extras = [unrollOptions.bidirectional && 'bidirectional', unrollOptions.lengths && 'lengths', unrollOptions.batchFirst && 'batch-first'].filter(
    Boolean,
  );
  const sizes = `input ${input}, hidden ${hidden}, batch ${batch}, steps ${steps}, layers ${layers}${extras.length ? `, ${extras.join(', ')}` : ''}`;
  const axis = unrollOptions.batchFirst ? 1 : 0;
  return { graph, feeds, label: `cell '${cell.name}' (${sizes}; float64, seed ${seed})`, timeAxes: { x: axis, out: axis } };
}

function graphSubject(graph: Graph, feeds: Feeds | undefined, o: GradcheckMatcherOptions): GradcheckSubject {
  const cellOnly = Object.keys(o).filter((k) => CELL_ONLY_OPTIONS.includes(k));
  if (cellOnly.length) {
    throw new CellgradError(
      'usage',
      `toPassGradcheck: option(s) ${cellOnly.map((k) => `'${k}'`).join(', ')} apply to a cell, not to a graph (its sizes are fixed)`,
    );
  }
  const given = feeds ?? o.feeds;
  const names = (ports: readonly { readonly name: string }[]) => ports.map((p) => p.name).join(', ') || 'none';
  return {
    graph,
    feeds: given ?? randomFeeds(graph, { seed: o.seed ?? 0 }),
    label: `graph (inputs ${names(graph.inputs)}; outputs ${names(graph.outputs)}${given ? '' : `; random feeds, seed ${o.seed ?? 0}`})`,
    timeAxes: {},
  };
}

/**
 * The graph, feeds and label for `received`: a cell made by `defineCell` (or a built-in one), a
 * `Graph`, or `{ graph, feeds }`. Anything else, a misspelt option or a size option given with a
 * graph is a `CellgradError` of kind `usage` naming it.
 * @example
 * const { graph, feeds } = gradcheckSubject(lstm, { steps: 3 });
 */
export function gradcheckSubject(received: unknown, options: GradcheckMatcherOptions = {}): GradcheckSubject {
  checkOptionNames(options);
  if (isCell(received)) return cellSubject(received, options);
  if (isGraph(received)) return graphSubject(received, undefined, options);
  if (typeof received === 'object' && received !== null && 'graph' in received && isGraph(received.graph)) {
    const feeds = 'feeds' in received ? (received.feeds as Feeds | undefined) : undefined;
    if (feeds !== undefined && options.feeds !== undefined)
      throw new CellgradError('usage', 'toPassGradcheck: feeds given twice (in the subject and in the options)');
    return graphSubject(received.graph, feeds, options);
  }
  const what = received === null ? 'null' : Array.isArray(received) ? 'an array' : typeof received;
  throw new CellgradError('usage', `toPassGradcheck: expected a cell (defineCell or a built-in cell), a Graph or { graph, feeds }, got ${what}`);
}
