/** The report page's frame: the stylesheet and the HTML skeleton around the sections. */
import { scriptSafe } from './assets.js';
import { HEAT_STOPS } from './browser/charts.js';
import { contentSecurityPolicy } from './csp.js';
import { esc } from './html-escape.js';

/** One section of the page. */
export interface Section {
  readonly id: string;
  readonly title: string;
  readonly html: string;
}

const STYLE = `
:root { color-scheme: light; --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --card: #ffffff; --bg: #f4f6fa; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg); }
header { padding: 18px 28px 10px; background: #1d2330; color: #fff; }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; color: #c7cede; }
nav { display: flex; gap: 16px; padding: 8px 28px; background: #2a3244; position: sticky; top: 0; z-index: 2; }
nav a { color: #dfe6f5; text-decoration: none; font-weight: 600; }
main { padding: 8px 28px 40px; max-width: 1500px; margin: 0 auto; }
section { margin-top: 22px; }
section > h2 { font-size: 18px; border-bottom: 2px solid var(--line); padding-bottom: 4px; }
.graph-card, .chart-card, .heatmap-card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; margin: 0 0 16px; }
.graph-card h3, .chart-card h3, .heatmap-card h3 { margin: 0; font-size: 15px; }
.caption { margin: 2px 0 0; color: var(--muted); }
.zoom-bar { display: flex; gap: 6px; align-items: center; margin: 8px 0 6px; }
.zoom-bar button { min-width: 32px; padding: 2px 8px; border: 1px solid var(--line); background: #f7f8fb; border-radius: 4px; cursor: pointer; font-size: 14px; }
.zoom-bar .hint { color: var(--muted); font-size: 12px; margin-left: 6px; }
.graph-view { height: 62vh; min-height: 360px; border: 1px solid var(--line); border-radius: 6px; overflow: hidden; background: #fff; cursor: grab; }
.graph-view.dragging { cursor: grabbing; }
.graph-view svg { width: 100%; height: 100%; display: block; touch-action: none; user-select: none; }
.legend { display: flex; flex-wrap: wrap; gap: 14px; margin: 0 0 12px; color: var(--muted); font-size: 12px; }
.legend span { display: inline-flex; align-items: center; gap: 6px; }
.legend i { display: inline-block; width: 22px; height: 13px; border: 1.5px solid #888; border-radius: 3px; }
.chart-box { position: relative; height: 320px; }
.heatmap-box { position: relative; height: 360px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
.colour-bar { display: flex; align-items: center; gap: 8px; margin-top: 6px; color: var(--muted); font-size: 12px; }
.colour-bar .ramp { flex: 0 0 220px; height: 12px; border-radius: 3px; background: linear-gradient(to right, ${HEAT_STOPS.join(', ')}); }
table.data { border-collapse: collapse; background: var(--card); font-size: 13px; width: 100%; }
table.data th, table.data td { border: 1px solid var(--line); padding: 4px 8px; text-align: left; }
table.data th { background: #eef1f7; }
table.data td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.pass, p.pass { color: #1b7a2e; font-weight: 600; }
td.fail, p.fail { color: #b3261e; font-weight: 700; }
footer { color: var(--muted); font-size: 12px; padding: 0 28px 24px; }
`;

/**
 * The whole document: header, a navigation bar, the sections, then the scripts. A Content-Security-Policy
 * in the head allows exactly `scripts` (by hash) to run.
 */
export function pageHtml(title: string, subtitle: string | undefined, sections: readonly Section[], scripts: readonly string[], dataJson: string): string {
  const inline = scripts.map(scriptSafe);
  const nav = sections.map((s) => `<a href="#${s.id}">${esc(s.title)}</a>`).join('');
  const body = sections.map((s) => `<section id="${s.id}"><h2>${esc(s.title)}</h2>\n${s.html}\n</section>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(contentSecurityPolicy(inline))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${esc(title)}</h1>${subtitle ? `<p>${esc(subtitle)}</p>` : ''}</header>
<nav>${nav}</nav>
<main>
${body}
</main>
<footer>Written by cellgrad. Self-contained: charts by Chart.js and chartjs-chart-matrix (MIT), graphs by Graphviz (viz.js), all inlined.</footer>
<script type="application/json" id="report-data">${dataJson}</script>
${inline.map((s) => `<script>${s}</script>`).join('\n')}
</body>
</html>
`;
}
