/**
 * The charting library bundled into every report: Chart.js's minified UMD build and the
 * chartjs-chart-matrix plugin (the heatmap), read from node_modules when a report is written and
 * inlined in `<script>` tags, so the page needs no network.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** A script bundled into the page. */
export interface Asset {
  readonly name: string;
  readonly code: string;
}

/** The file `file` beside the entry point `pkg` resolves to (both ship their builds in `dist/`). */
function distFile(pkg: string, file: string): string {
  return path.join(path.dirname(require.resolve(pkg)), file);
}

/**
 * Make code safe inside `<script>`: no closing tag, no source-map comment pointing at a missing file,
 * and line ends and NULs as the HTML parser leaves them (LF, U+FFFD), so that the text hashed for the
 * Content-Security-Policy is exactly the text the browser hashes. Idempotent.
 */
export function scriptSafe(code: string): string {
  return code
    .replace(/\r\n?/g, '\n')
    .replace(/\0/g, '\uFFFD')
    .replace(/^\/\/# sourceMappingURL=.*$/gm, '')
    .replace(/<\/(script)/gi, '<\\/$1');
}

let cached: readonly Asset[] | undefined;

/** Chart.js, then the matrix plugin (which registers itself on the global `Chart`). */
export function chartAssets(): readonly Asset[] {
  cached ??= [
    { name: 'chart.js', code: scriptSafe(readFileSync(distFile('chart.js', 'chart.umd.min.js'), 'utf8')) },
    { name: 'chartjs-chart-matrix', code: scriptSafe(readFileSync(distFile('chartjs-chart-matrix', 'chartjs-chart-matrix.min.js'), 'utf8')) },
  ];
  return cached;
}
