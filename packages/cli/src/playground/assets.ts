/**
 * Where the playground's files come from: the prebuilt bundle in `dist/playground-assets/` when the
 * package has one (`pnpm build` writes it; a published package ships it) and this module runs from
 * `dist/`, else a bundle made now with esbuild (about a second; always when running from the
 * TypeScript sources, so an edit to the page is never hidden behind a stale build).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeFileSafely } from '@cellgrad/graph/io';
import { bundlePlayground, FROM_SOURCE, type PlaygroundAssets } from './bundle.js';

/** The prebuilt assets' folder: `packages/cli/dist/playground-assets/`. */
export const PREBUILT = fileURLToPath(new URL('../../dist/playground-assets/', import.meta.url));

/** The files every complete set of assets has. */
const REQUIRED = ['index.html', 'page.js', 'worker.js', 'playground.css'];

/** Where a set of assets came from, and how long getting it took. */
export interface LoadedAssets {
  readonly assets: PlaygroundAssets;
  readonly origin: 'prebuilt' | 'bundled';
  readonly seconds: number;
}

/** Read a folder of assets written by `writeAssets`. */
function readAssets(dir: string): PlaygroundAssets {
  return new Map(readdirSync(dir).map((f) => [f, new Uint8Array(readFileSync(path.join(dir, f)))]));
}

/** The playground's files: prebuilt when available (and not running from sources), else bundled now. */
export async function loadAssets(): Promise<LoadedAssets> {
  const started = performance.now();
  const prebuilt = !FROM_SOURCE && REQUIRED.every((f) => existsSync(path.join(PREBUILT, f)));
  const assets = prebuilt ? readAssets(PREBUILT) : await bundlePlayground();
  return { assets, origin: prebuilt ? 'prebuilt' : 'bundled', seconds: (performance.now() - started) / 1000 };
}

/** Write `assets` into `dir` (created if missing); returns the files written. */
export function writeAssets(dir: string, assets: PlaygroundAssets, extra: ReadonlyMap<string, string> = new Map()): string[] {
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, bytes] of [...assets, ...extra]) {
    const file = path.join(dir, name);
    writeFileSafely(file, bytes);
    written.push(file);
  }
  return written;
}
