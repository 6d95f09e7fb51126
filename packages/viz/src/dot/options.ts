/** Options of the DOT/SVG drawing of a graph, and their defaults. */
import { fail } from '@cellgrad/graph';

/** How to draw a graph as DOT (and so as SVG). Every field is optional and JSON-able. */
export interface DotOptions {
  /** A title drawn above the graph. */
  readonly title?: string;
  /** Layout direction (default `TB`, top to bottom). */
  readonly rankdir?: 'TB' | 'LR';
  /** Draw one cluster (box) per time step (default true). */
  readonly clusterSteps?: boolean;
  /**
   * Fold the middle time steps into one "steps a..b" node when the graph has more than
   * `firstSteps + 2` steps (default true). The first `firstSteps` steps and the last step stay drawn.
   */
  readonly collapseSteps?: boolean;
  /** How many leading time steps stay drawn when steps are folded (default 2). */
  readonly firstSteps?: number;
  /**
   * Most nodes drawn (default 300). Past it, the remaining nodes become one "N more nodes" marker,
   * so a huge graph stays readable and fast to lay out.
   */
  readonly maxNodes?: number;
  /** Show shapes and dtypes in node labels (default true). */
  readonly showTypes?: boolean;
  /**
   * Colour the recurrent core (`recurrentCore`: the nodes a state flows through from step to step)
   * apart from the time-parallel work, SVG class `core` (default false).
   */
  readonly highlightCore?: boolean;
}

/** `DotOptions` with every default filled in. */
export type ResolvedDotOptions = Required<Omit<DotOptions, 'title'>> & Pick<DotOptions, 'title'>;

/** Fill in the defaults of `o`, rejecting nonsensical numbers. */
export function resolveDotOptions(o: DotOptions = {}): ResolvedDotOptions {
  const firstSteps = o.firstSteps ?? 2;
  const maxNodes = o.maxNodes ?? 300;
  if (!Number.isInteger(firstSteps) || firstSteps < 1) fail('usage', `viz: firstSteps must be a positive integer, got ${firstSteps}`);
  if (!Number.isInteger(maxNodes) || maxNodes < 1) fail('usage', `viz: maxNodes must be a positive integer, got ${maxNodes}`);
  return {
    title: o.title,
    rankdir: o.rankdir ?? 'TB',
    clusterSteps: o.clusterSteps ?? true,
    collapseSteps: o.collapseSteps ?? true,
    firstSteps,
    maxNodes,
    showTypes: o.showTypes ?? true,
    highlightCore: o.highlightCore ?? false,
  };
}
