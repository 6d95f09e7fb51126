/**
 * The playground's browser bundle, made with esbuild: `page.js` (the editor and the views) and
 * `worker.js` (cellgrad itself: graph, autodiff, cells, viz's SVG rendering), ES modules for the
 * browser, plus the page's HTML and CSS. The browser sources live in `packages/cli/playground/`.
 * Two redirections keep Node out of the bundle: `@cellgrad/viz` resolves to its browser entry
 * (`browser.ts` beside `index.ts`: no jsdom, no files), and the few Node built-ins still imported by
 * file-reading helpers of the cells package (none of which the playground calls) resolve to a stub
 * that throws when used. `node:worker_threads` is never stubbed: the core must not import it
 * (`#worker-platform` picks Web Workers in a browser), and the build fails if it does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** The browser sources (`packages/cli/playground/`, from `src/playground/` and from `dist/playground/` alike). */
export const BROWSER_SOURCES = fileURLToPath(new URL('../../playground/', import.meta.url));

/** True when this module runs from TypeScript sources (workspace development), not from `dist/`. */
export const FROM_SOURCE = /\.ts$/.test(fileURLToPath(import.meta.url));

/** The files of the page, by URL path (without the leading slash). */
export type PlaygroundAssets = ReadonlyMap<string, Uint8Array>;

/** Node built-ins some file-reading helpers import; in the browser bundle they throw when called. */
const STUBBED = /^(node:)?(fs|path|url|zlib|crypto|module|os)$/;

const nodeStub: Plugin = {
  name: 'node-builtins-stub',
  setup(b) {
    b.onResolve({ filter: STUBBED }, (args) => ({ path: args.path, namespace: 'node-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'node-stub' }, (args) => ({
      contents: `const fail = (name) => () => { throw new Error(${JSON.stringify(`${args.path} is not available in the browser`)} + ' (' + name + ')'); };
module.exports = new Proxy({}, { get: (_, name) => (name === '__esModule' ? undefined : fail(String(name))) });`,
      loader: 'js',
    }));
  },
};

const vizBrowserEntry: Plugin = {
  name: 'viz-browser-entry',
  setup(b) {
    b.onResolve({ filter: /^@cellgrad\/viz$/ }, async (args) => {
      if (args.pluginData === 'viz-browser-entry') return undefined;
      const main = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: 'viz-browser-entry' });
      if (main.errors.length > 0) return { errors: main.errors };
      return { path: main.path.replace(/index\.(ts|js)$/, 'browser.$1') };
    });
  },
};

/**
 * Bundle the page now (a few seconds; `cellgrad playground` does it at startup when the package has
 * no prebuilt assets). `minify` shrinks the scripts to about a third.
 */
export async function bundlePlayground(options: { minify?: boolean } = {}): Promise<PlaygroundAssets> {
  const result = await build({
    entryPoints: { page: path.join(BROWSER_SOURCES, 'page.ts'), worker: path.join(BROWSER_SOURCES, 'worker.ts') },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    conditions: FROM_SOURCE ? ['@cellgrad/source'] : [],
    minify: options.minify ?? true,
    legalComments: 'none',
    outdir: '/playground',
    write: false,
    logLevel: 'silent',
    plugins: [vizBrowserEntry, nodeStub],
  });
  const assets = new Map<string, Uint8Array>();
  for (const f of result.outputFiles) assets.set(path.basename(f.path), f.contents);
  for (const f of ['index.html', 'playground.css']) assets.set(f, readFileSync(path.join(BROWSER_SOURCES, f)));
  return assets;
}
