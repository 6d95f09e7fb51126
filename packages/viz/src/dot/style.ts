/**
 * The look of a drawing: colours and shapes per kind of item and edge. Forward nodes are blue
 * rounded boxes, gradient (backward) nodes orange dashed octagons, inputs yellow ellipses; recurrent
 * edges are thick and red, cross-step edges grey and dotted. Each item also carries an SVG `class`
 * (Graphviz copies it into the SVG), which the report's legend and the tests rely on.
 */

/** DOT attributes as a record. */
export type DotAttrs = Readonly<Record<string, string | number>>;

/** The palette, exported for the report's legend. */
export const COLORS = {
  forward: '#dbe9f6',
  forwardLine: '#3b6ea5',
  backward: '#fde3c8',
  backwardLine: '#c25e00',
  input: '#fff4c2',
  inputLine: '#a08a00',
  output: '#d8f0d2',
  outputLine: '#2e7d32',
  fold: '#eeeeee',
  recurrent: '#c62828',
  cross: '#9e9e9e',
  more: '#fafafa',
  core: '#f8c9c9',
  coreLine: '#c62828',
} as const;

export const GRAPH_ATTRS: DotAttrs = { fontname: 'Helvetica', fontsize: 11, nodesep: 0.25, ranksep: 0.35, newrank: 'true' };
export const NODE_ATTRS: DotAttrs = { fontname: 'Helvetica', fontsize: 9, margin: '0.06,0.03', height: 0.3 };
export const EDGE_ATTRS: DotAttrs = { arrowsize: 0.6, color: '#555555' };

export const FORWARD: DotAttrs = { shape: 'box', style: 'rounded,filled', fillcolor: COLORS.forward, color: COLORS.forwardLine, class: 'forward' };
export const BACKWARD: DotAttrs = { shape: 'octagon', style: 'filled,dashed', fillcolor: COLORS.backward, color: COLORS.backwardLine, class: 'backward' };
export const INPUT: DotAttrs = { shape: 'ellipse', style: 'filled', fillcolor: COLORS.input, color: COLORS.inputLine, class: 'input' };
export const OUTPUT: DotAttrs = { shape: 'invhouse', style: 'filled', fillcolor: COLORS.output, color: COLORS.outputLine, class: 'output' };
/** A forward node on the recurrent core, when `highlightCore` is on. */
export const CORE: DotAttrs = { shape: 'box', style: 'rounded,filled,bold', fillcolor: COLORS.core, color: COLORS.coreLine, class: 'core' };
export const FOLD: DotAttrs = { shape: 'box3d', style: 'filled,dashed', fillcolor: COLORS.fold, class: 'fold' };
export const MORE: DotAttrs = { shape: 'note', style: 'filled,bold', fillcolor: COLORS.more, fontsize: 11, class: 'budget' };

export const RECURRENT_EDGE: DotAttrs = { color: COLORS.recurrent, penwidth: 2.2, class: 'recurrent' };
export const CROSS_EDGE: DotAttrs = { color: COLORS.cross, style: 'dotted', class: 'cross-step' };

export const CLUSTER_FORWARD: DotAttrs = { style: 'rounded', color: '#9bb7d4', fontcolor: COLORS.forwardLine, class: 'step' };
export const CLUSTER_BACKWARD: DotAttrs = { style: 'rounded,dashed', color: '#e0a36b', fontcolor: COLORS.backwardLine, class: 'step backward-step' };

/** A DOT string literal. */
export function quote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** `[a=1, b="x"]`, or '' for no attributes. */
export function attrList(attrs: DotAttrs): string {
  const parts = Object.entries(attrs).map(([k, v]) => `${k}=${typeof v === 'number' ? v : quote(v)}`);
  return parts.length ? ` [${parts.join(', ')}]` : '';
}
