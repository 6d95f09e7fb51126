/**
 * `toDot`: a graph as Graphviz DOT — one cluster per drawn time step, folded middle steps, a node
 * budget, recurrent edges and gradient nodes styled apart (see `style.ts`).
 */
import { printNode, recurrentCore, typeText, type Graph, type GraphJSON, type Node } from '@cellgrad/graph';
import { resolveDotOptions, type DotOptions, type ResolvedDotOptions } from './options.js';
import {
  attrList,
  BACKWARD,
  CLUSTER_BACKWARD,
  CLUSTER_FORWARD,
  CORE,
  CROSS_EDGE,
  EDGE_ATTRS,
  FOLD,
  FORWARD,
  GRAPH_ATTRS,
  INPUT,
  MORE,
  NODE_ATTRS,
  OUTPUT,
  RECURRENT_EDGE,
  type DotAttrs,
} from './style.js';
import { buildView, type ViewEdge, type ViewItem } from './view.js';

function nodeLabel(n: Node, o: ResolvedDotOptions): string {
  const head = n.op === 'input' ? String(n.attrs.name) : `%${n.id} ${n.op}`;
  return o.showTypes ? `${head}\n${typeText(n)}` : head;
}

function itemAttrs(it: ViewItem, o: ResolvedDotOptions, core: ReadonlySet<number>): DotAttrs {
  switch (it.kind) {
    case 'node': {
      const look = it.node.op === 'input' ? INPUT : it.backward ? BACKWARD : core.has(it.node.id) ? CORE : FORWARD;
      return { ...look, label: nodeLabel(it.node, o), tooltip: printNode(it.node) };
    }
    case 'fold':
      return { ...FOLD, ...(it.backward ? { color: BACKWARD.color! } : {}), label: it.label, tooltip: it.label };
    case 'more':
      return { ...MORE, label: `${it.count} more nodes\n(node budget ${o.maxNodes})`, tooltip: `${it.count} more nodes not drawn` };
    case 'output':
      return { ...OUTPUT, label: it.name, tooltip: `output ${it.name}` };
  }
}

function edgeAttrs(e: ViewEdge): DotAttrs {
  return e.cls === 'recurrent' ? RECURRENT_EDGE : e.cls === 'cross' ? CROSS_EDGE : {};
}

/** Accept a `Graph` or its JSON form (they have the same node fields). */
function asGraph(g: Graph | GraphJSON): Graph {
  return g as Graph;
}

/**
 * The graph as DOT text. Time steps become clusters (`cluster_l0_forward_3`, labelled "step 3");
 * with more than `firstSteps + 2` steps per layer the middle ones fold into one "steps a..b" node;
 * past `maxNodes` drawn nodes the rest is one "N more nodes" marker. Recurrent edges (state from
 * step t to step t±1) carry `class="recurrent"`, gradient nodes `class="backward"`.
 * @example
 * const dot = toDot(unroll(gru, { input: 3, hidden: 4, batch: 2, steps: 50 }), { firstSteps: 2 });
 */
export function toDot(graph: Graph | GraphJSON, options: DotOptions = {}): string {
  const g = asGraph(graph);
  const o = resolveDotOptions(options);
  const view = buildView(g, o);
  const core = o.highlightCore ? recurrentCore(g) : new Set<number>();
  const lines: string[] = ['digraph cellgrad {'];
  const title = o.title ?? '';
  const notes = [view.folded ? `${view.folded} nodes folded` : '', view.hidden ? `${view.hidden} nodes over budget` : ''].filter(Boolean).join(', ');
  const label = [title, notes ? `(${notes})` : ''].filter(Boolean).join('\n');
  lines.push(`  graph${attrList({ ...GRAPH_ATTRS, rankdir: o.rankdir, ...(label ? { label, labelloc: 't' } : {}) })};`);
  lines.push(`  node${attrList(NODE_ATTRS)};`);
  lines.push(`  edge${attrList(EDGE_ATTRS)};`);
  const inCluster = new Set(view.clusters.flatMap((c) => c.items));
  const byKey = new Map(view.items.map((it) => [it.key, it]));
  for (const c of view.clusters) {
    lines.push(`  subgraph ${c.key} {`);
    lines.push(`    graph${attrList({ ...(c.backward ? CLUSTER_BACKWARD : CLUSTER_FORWARD), label: c.label })};`);
    for (const k of c.items) lines.push(`    ${k}${attrList(itemAttrs(byKey.get(k)!, o, core))};`);
    lines.push('  }');
  }
  for (const it of view.items) if (!inCluster.has(it.key)) lines.push(`  ${it.key}${attrList(itemAttrs(it, o, core))};`);
  for (const e of view.edges) lines.push(`  ${e.from} -> ${e.to}${attrList(edgeAttrs(e))};`);
  lines.push('}');
  return lines.join('\n');
}
