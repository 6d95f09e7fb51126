/**
 * DOT to SVG with Graphviz compiled to WebAssembly (@viz-js/viz): no system Graphviz. The WebAssembly
 * instance is created once, on first use, and shared.
 */
import { instance, type Viz } from '@viz-js/viz';
import { fail, type Graph, type GraphJSON } from '@cellgrad/graph';
import type { DotOptions } from '../dot/options.js';
import { toDot } from '../dot/to-dot.js';

let shared: Promise<Viz> | undefined;

/** The shared Graphviz instance. */
function graphviz(): Promise<Viz> {
  shared ??= instance();
  return shared;
}

/**
 * Lay out DOT text and return the SVG document (starting at `<svg`, without the XML prolog).
 * Throws with Graphviz's messages when the DOT is invalid.
 * @example
 * const svg = await dotToSvg('digraph { a -> b }');
 */
export async function dotToSvg(dot: string): Promise<string> {
  const viz = await graphviz();
  const result = viz.render(dot, { format: 'svg', engine: 'dot' });
  if (result.status !== 'success') {
    fail('usage', `viz: Graphviz could not render the graph: ${result.errors.map((e) => e.message.trim()).join('; ')}`);
  }
  const start = result.output.indexOf('<svg');
  return start >= 0 ? result.output.slice(start) : result.output;
}

/**
 * A graph drawn as SVG: `toDot` then Graphviz.
 * @example
 * writeFileSafely('lstm.svg', await toSvg(unroll(lstm, sizes), { title: 'lstm, 4 steps' }));
 */
export async function toSvg(graph: Graph | GraphJSON, options: DotOptions = {}): Promise<string> {
  return dotToSvg(toDot(graph, options));
}
