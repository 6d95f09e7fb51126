/**
 * The report's Content-Security-Policy, a second wall behind the SVG sanitiser: the page runs its own
 * inline scripts (Chart.js, the matrix plugin, the charts and pan/zoom code), each allowed by its
 * SHA-256 hash computed when the report is written, and nothing else: no other script, no inline event
 * handler, no `javascript:` URL, no plugin, no `<base>`, no request for anything outside the file.
 */
import { createHash } from 'node:crypto';

/** The CSP source for one inline script: `'sha256-<base64>'` of its exact text. */
export function scriptHash(code: string): string {
  return `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`;
}

/**
 * The policy for a page whose only scripts are `scripts` (their text exactly as between the tags).
 * Styles may be inline (the page's stylesheet, the legend's and Graphviz's `style` attributes); images
 * only `data:` (the empty favicon); everything else `'none'`.
 * @example
 * contentSecurityPolicy(['console.log(1)']);
 * // "default-src 'none'; script-src 'sha256-...'; style-src 'unsafe-inline'; img-src data:; ..."
 */
export function contentSecurityPolicy(scripts: readonly string[]): string {
  const hashes = [...new Set(scripts.map(scriptHash))];
  return [
    "default-src 'none'",
    `script-src ${hashes.length ? hashes.join(' ') : "'none'"}`,
    "style-src 'unsafe-inline'",
    'img-src data:',
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}
