/**
 * A graph before and after each optimisation pass, as report graphs: from the trace that
 * `optimizeWithTrace` (@cellgrad/graph) returns, the input and every pass application that changed
 * the graph, each captioned with the node count it went from and to.
 */
import type { Graph, OptimizeTrace } from '@cellgrad/graph';
import type { DotOptions } from '../dot/options.js';
import type { ReportGraph } from './types.js';

/** Options of `passGraphs`. */
export interface PassGraphsOptions {
  /** Prefix of every title (e.g. the cell's name). */
  readonly name?: string;
  /** Also include passes that changed nothing (default false). */
  readonly unchanged?: boolean;
  /** Drawing options of every graph. */
  readonly options?: DotOptions;
}

/**
 * Report graphs for a pass trace: "before optimisation", then "after <pass> (round r)" for each
 * pass that changed the graph.
 * @example
 * const graphs = passGraphs(optimizeWithTrace(grad(lossGraph)), { name: 'gru' });
 */
export function passGraphs(trace: Pick<OptimizeTrace, 'input' | 'steps'>, o: PassGraphsOptions = {}): ReportGraph[] {
  const prefix = o.name ? `${o.name}: ` : '';
  const extra = o.options ? { options: o.options } : {};
  const out: ReportGraph[] = [{ title: `${prefix}before optimisation`, caption: `${trace.input.nodes.length} nodes`, graph: trace.input, ...extra }];
  let previous: Graph = trace.input;
  for (const s of trace.steps) {
    if (!s.changed && !o.unchanged) continue;
    const caption = `${previous.nodes.length} → ${s.graph.nodes.length} nodes${s.changed ? '' : ' (unchanged)'}`;
    out.push({ title: `${prefix}after ${s.pass} (round ${s.round})`, caption, graph: s.graph, ...extra });
    previous = s.graph;
  }
  return out;
}
