/** The report's graph cards: each graph drawn to SVG and inlined with its zoom bar and legend. */
import { fail, type Graph } from '@cellgrad/graph';
import { resolveDotOptions } from '../dot/options.js';
import { COLORS } from '../dot/style.js';
import { buildView } from '../dot/view.js';
import { dotToSvg, toSvg } from '../svg/render.js';
import { esc } from './html-escape.js';
import { sanitizeSvg } from './sanitize-svg.js';
import type { ReportGraph } from './types.js';

/** The drawing of one report graph as it came (from `svg`, `dot` or `graph`, in that order): not yet sanitised. */
async function rawSvg(g: ReportGraph): Promise<string> {
  if (g.svg !== undefined) return g.svg;
  if (g.dot !== undefined) return dotToSvg(g.dot);
  if (g.graph !== undefined) return toSvg(g.graph, { title: g.title, ...g.options });
  return fail('usage', `viz: report graph '${g.title}' has none of 'graph', 'dot' or 'svg'`);
}

/** `markup` through the SVG allow-list (`sanitizeSvg`), an error naming the graph when nothing is left. */
async function safeSvg(markup: string, g: ReportGraph): Promise<string> {
  try {
    return await sanitizeSvg(markup);
  } catch (e) {
    const field = g.svg !== undefined ? 'svg' : g.dot !== undefined ? 'dot' : 'graph';
    return fail('usage', `viz: report graph '${g.title}': '${field}' ${(e as Error).message}`);
  }
}

/**
 * The SVG of one report graph (from `svg`, `dot` or `graph`, in that order), sanitised: report data
 * may come from anyone's file, so even Graphviz's output passes the allow-list of `sanitize-svg.ts`.
 */
export async function graphSvg(g: ReportGraph): Promise<string> {
  return safeSvg(await rawSvg(g), g);
}

/** Give the ids of an SVG a prefix, so that several graphs on one page have distinct ids. */
export function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\sid="([^"]*)"/g, (_, id: string) => ` id="${prefix}${id}"`)
    .replace(/url\(#([^)]*)\)/g, (_, id: string) => `url(#${prefix}${id})`)
    .replace(/href="#([^"]*)"/g, (_, id: string) => `href="#${prefix}${id}"`);
}

const LEGEND: readonly [string, string][] = [
  [`background:${COLORS.input};border-color:${COLORS.inputLine};border-radius:50%`, 'input'],
  [`background:${COLORS.forward};border-color:${COLORS.forwardLine}`, 'forward node'],
  [`background:${COLORS.backward};border-color:${COLORS.backwardLine};border-style:dashed`, 'gradient (backward) node'],
  [`background:${COLORS.output};border-color:${COLORS.outputLine}`, 'output'],
  [`background:${COLORS.fold};border-style:dashed`, 'folded steps'],
  [`background:${COLORS.recurrent};height:3px;border:0`, 'recurrent edge (step t → t±1)'],
  [`border-top:2px dotted ${COLORS.cross};height:0;border-width:2px 0 0 0`, 'value shared across steps'],
];

/** The legend of the graph drawings. */
export function legendHtml(): string {
  return `<div class="legend">${LEGEND.map(([style, text]) => `<span><i style="${style}"></i>${esc(text)}</span>`).join('')}</div>`;
}

/**
 * The unfolded drawing of a report graph whose time steps were folded, or undefined (nothing folded,
 * folding turned off, or a ready DOT/SVG). The report lets the reader switch between the two.
 */
async function unfoldedSvg(g: ReportGraph): Promise<string | undefined> {
  if (g.graph === undefined || g.options?.collapseSteps === false) return undefined;
  const options = { title: g.title, ...g.options };
  if (buildView(g.graph as Graph, resolveDotOptions(options)).folded === 0) return undefined;
  return safeSvg(await toSvg(g.graph, { ...options, collapseSteps: false }), g);
}

const ZOOM_BAR =
  '<button type="button" data-zoom="in" title="zoom in">+</button><button type="button" data-zoom="out" title="zoom out">−</button><button type="button" data-zoom="fit" title="fit to view">fit</button>';

/**
 * One card: title, caption, zoom buttons and the SVG in a pan/zoom viewport; when time steps were
 * folded, a second (hidden) drawing with every step and a button switching between the two.
 */
export async function graphCard(g: ReportGraph, index: number): Promise<string> {
  const svg = prefixIds(await graphSvg(g), `g${index}-`);
  const all = await unfoldedSvg(g);
  const caption = g.caption ? `<p class="caption">${esc(g.caption)}</p>` : '';
  const toggle = all ? '<button type="button" data-steps="toggle" title="draw every time step, or fold the middle ones">show all steps</button>' : '';
  const views = [`<div class="graph-view" data-variant="${all ? 'folded' : 'only'}">${svg}</div>`];
  if (all) views.push(`<div class="graph-view" data-variant="all" hidden>${prefixIds(all, `g${index}a-`)}</div>`);
  return `<figure class="graph-card" id="graph-${index}">
<figcaption><h3>${esc(g.title)}</h3>${caption}</figcaption>
<div class="zoom-bar">${ZOOM_BAR}${toggle}<span class="hint">wheel to zoom, drag to pan</span></div>
${views.join('\n')}
</figure>`;
}
