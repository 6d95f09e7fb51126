/**
 * The HTTP headers of the playground's files. COOP and COEP make the page cross-origin isolated, so
 * SharedArrayBuffer exists and compiled plans can share their memory with matmul Web Workers; the
 * Content-Security-Policy lets the page run only its own scripts, and the worker (which compiles
 * WebAssembly and JavaScript kernels at run time and evaluates the researcher's cell) also eval and
 * Blob-URL workers.
 */

/** Isolation headers of every response. */
export const ISOLATION: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Content-Type-Options': 'nosniff',
};

const BASE = "default-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; connect-src 'self'; img-src 'self' data:";

/** The page's policy: its own scripts only; CodeMirror and Chart.js set inline styles. */
export const PAGE_CSP = `${BASE}; script-src 'self'; style-src 'self' 'unsafe-inline'; worker-src 'self' blob:; frame-ancestors 'none'`;

/** The worker's policy: run-time WebAssembly and JavaScript (kernels, the cell), Blob-URL workers (the compiled plan's threads). */
export const WORKER_CSP = `${BASE}; script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval' blob:; worker-src 'self' blob:`;

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

/** The headers of the file `name` (an asset's name, e.g. `worker.js`). */
export function headersFor(name: string): Record<string, string> {
  const ext = /\.[a-z]+$/.exec(name)?.[0] ?? '';
  return {
    ...ISOLATION,
    'Content-Type': TYPES[ext] ?? 'application/octet-stream',
    'Content-Security-Policy': name === 'worker.js' ? WORKER_CSP : PAGE_CSP,
    'Cache-Control': 'no-store',
  };
}

/**
 * The same headers as a `_headers` file (the format several static hosts read), written beside the
 * files by `cellgrad playground --build DIR`.
 */
export function headersFile(names: readonly string[]): string {
  const ordered = [...names].sort((a, b) => (a === 'index.html' ? -1 : b === 'index.html' ? 1 : a.localeCompare(b)));
  return `${ordered
    .map((n) =>
      [
        `/${n === 'index.html' ? '' : n}`,
        ...Object.entries(headersFor(n))
          .filter(([k]) => k !== 'Cache-Control')
          .map(([k, v]) => `  ${k}: ${v}`),
      ].join('\n'),
    )
    .join('\n\n')}\n`;
}
