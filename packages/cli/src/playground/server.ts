/**
 * `cellgrad playground`'s web server (node:http, localhost only): it serves the page's files with
 * the headers of headers.ts and computes nothing — cellgrad runs in the browser.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CellgradError } from '@cellgrad/graph';
import type { PlaygroundAssets } from './bundle.js';
import { headersFor } from './headers.js';

/** A running playground server. */
export interface PlaygroundServer {
  /** The page's address, e.g. `http://127.0.0.1:4173/`. */
  readonly url: string;
  readonly port: number;
  /** Stop serving. */
  close(): Promise<void>;
}

/** The asset a request path names (`/` is `index.html`), or undefined. */
function assetName(url: string | undefined): string {
  const pathname = new URL(url ?? '/', 'http://localhost').pathname;
  return pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
}

/**
 * Serve `assets` on `host:port` (port 0: any free port).
 * @example
 * const server = await servePlayground(assets, { port: 0 });
 * console.log(server.url);
 */
export async function servePlayground(assets: PlaygroundAssets, options: { port?: number; host?: string } = {}): Promise<PlaygroundServer> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    let name: string;
    try {
      name = assetName(req.url);
    } catch {
      res.writeHead(400).end();
      return;
    }
    const body = assets.get(name);
    if (!body) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`not found: /${name}\n`);
      return;
    }
    res.writeHead(200, { ...headersFor(name), 'Content-Length': String(body.length) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        e.code === 'EADDRINUSE'
          ? new CellgradError('usage', `playground: port ${options.port} is in use (choose another with --port, or --port 0 for any free one)`)
          : e,
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}/`,
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
