// `cellgrad playground` without a browser: the server hands out the bundled page with the headers
// that make it cross-origin isolated (COOP/COEP) and a Content-Security-Policy, answers 404/405,
// reports a busy port as one line (exit 2); `--build DIR` writes the same files and a _headers file.
// The browser bundle itself contains no worker_threads and no jsdom (the Node-only parts stay out).
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundlePlayground, type PlaygroundAssets } from '../../packages/cli/src/playground/bundle.js';
import { servePlayground, type PlaygroundServer } from '../../packages/cli/src/playground/server.js';
import { cellgrad, tempDir } from './helpers.js';

let assets: PlaygroundAssets;
let server: PlaygroundServer;

beforeAll(async () => {
  assets = await bundlePlayground();
  server = await servePlayground(assets, { port: 0 });
}, 120_000);
afterAll(() => server?.close());

const text = (name: string) => new TextDecoder().decode(assets.get(name));

describe('the playground server', () => {
  it('serves the page cross-origin isolated, with a Content-Security-Policy', async () => {
    const r = await fetch(server.url);
    expect(r.status).toBe(200);
    expect(r.headers.get('cross-origin-opener-policy')).toBe('same-origin');
    expect(r.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
    expect(r.headers.get('content-type')).toMatch(/^text\/html/);
    expect(r.headers.get('content-security-policy')).toMatch(/script-src 'self';/);
    expect(await r.text()).toContain('<script type="module" src="page.js">');
    const w = await fetch(`${server.url}worker.js`);
    expect(w.headers.get('content-type')).toMatch(/^text\/javascript/);
    // The worker compiles kernels and evaluates the cell; the page itself may not eval.
    expect(w.headers.get('content-security-policy')).toMatch(/script-src 'self' 'unsafe-eval' 'wasm-unsafe-eval' blob:/);
    expect(w.headers.get('cross-origin-embedder-policy')).toBe('require-corp');
  });

  it('answers 404 for unknown files and 405 for other methods', async () => {
    expect((await fetch(`${server.url}secret.txt`)).status).toBe(404);
    expect((await fetch(`${server.url}..%2Fpackage.json`)).status).toBe(404);
    expect((await fetch(server.url, { method: 'POST', body: 'x' })).status).toBe(405);
  });

  it('the browser bundle holds cellgrad, CodeMirror and Graphviz, and no worker_threads or jsdom', () => {
    const worker = text('worker.js');
    const page = text('page.js');
    expect(worker).not.toMatch(/worker_threads/);
    expect(page + worker).not.toMatch(/jsdom/);
    expect(worker).toMatch(/cellgrad-worker/); // the Web Worker platform of the worker pool
    expect(page).toMatch(/cm-lintRange/); // CodeMirror's lint
  });

  it('a busy port is one line and exit code 2', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    const r = await cellgrad(['playground', '--port', String(port)]);
    blocker.close();
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`cellgrad: playground: port ${port} is in use (choose another with --port, or --port 0 for any free one)\n`);
    const bad = await cellgrad(['playground', '--port', '70000']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^cellgrad: option '--port <n>' argument '70000' is invalid/);
  });

  it('--build DIR writes the page as static files with a _headers file', async () => {
    const dir = path.join(tempDir(), 'site');
    const r = await cellgrad(['playground', '--build', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^cellgrad playground: wrote 5 files to .*site \(bundled with esbuild in [\d.]+ s\)/);
    expect(readdirSync(dir).sort()).toEqual(['_headers', 'index.html', 'page.js', 'playground.css', 'worker.js']);
    expect(readFileSync(path.join(dir, 'index.html'), 'utf8')).toBe(text('index.html'));
    const headers = readFileSync(path.join(dir, '_headers'), 'utf8');
    expect(headers).toMatch(/^\/\n {2}Cross-Origin-Opener-Policy: same-origin\n {2}Cross-Origin-Embedder-Policy: require-corp/);
    expect(headers).toMatch(/\/worker\.js\n(.*\n)*? {2}Content-Security-Policy: .*'unsafe-eval'/);
  });
});
