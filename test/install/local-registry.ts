/**
 * A throwaway npm registry on 127.0.0.1 serving exactly the packages a cellgrad install needs, taken
 * from this workspace: the tarballs `pnpm -r pack` wrote for cellgrad's own packages, and, for every
 * third-party dependency in their closure, the copy pnpm installed in node_modules (packed again with
 * tar). So `npm install cellgrad` runs as for a user, resolving versions from packuments and
 * running install scripts, with no network and nothing set in the environment: npm is only told the
 * registry's address, an empty user config and its own cache folder, all as command-line options.
 * Anything not in the closure (other platforms' optional binaries, ONNX Runtime) answers 404.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** The fields of a package.json this file reads. */
interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** One version the registry serves: its manifest and tarball file. */
interface Served {
  readonly manifest: Manifest & Record<string, unknown>;
  readonly tarball: string;
}

const readManifest = (dir: string): Manifest & Record<string, unknown> => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));

/** The folder of package `name` as Node resolves it from `fromDir` (walking up node_modules folders), or undefined. */
export function findPackage(fromDir: string, name: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return realpathSync(candidate);
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The installed folders of every third-party package that the packages in `roots` need at run time:
 * dependencies, the optional ones pnpm installed for this platform, and required peers; cellgrad's
 * own packages (`skip`) are not followed. `extra` are further installed folders to serve, with their closure.
 */
export function dependencyClosure(roots: readonly string[], skip: (name: string) => boolean, extra: readonly string[] = []): string[] {
  const found = new Map<string, string>();
  const visit = (dir: string): void => {
    const m = readManifest(dir);
    const optionalPeers = Object.entries(m.peerDependenciesMeta ?? {}).filter(([, v]) => v.optional === true);
    const peers = Object.keys(m.peerDependencies ?? {}).filter((p) => !optionalPeers.some(([n]) => n === p));
    for (const name of [...Object.keys(m.dependencies ?? {}), ...Object.keys(m.optionalDependencies ?? {}), ...peers]) {
      if (skip(name)) continue;
      const at = findPackage(dir, name);
      if (at === undefined) {
        if (name in (m.optionalDependencies ?? {})) continue; // another platform's binary
        throw new Error(`install test: ${m.name} needs ${name}, which is not installed in the workspace (run pnpm install)`);
      }
      const dep = readManifest(at);
      const key = `${dep.name}@${dep.version}`;
      if (found.has(key)) continue;
      found.set(key, at);
      visit(at);
    }
  };
  for (const root of roots) visit(root);
  for (const dir of extra) {
    const m = readManifest(dir);
    found.set(`${m.name}@${m.version}`, dir);
    visit(dir);
  }
  return [...found.values()];
}

/** A tarball and the manifest of the package in it. */
export interface Packed {
  readonly tarball: string;
  readonly manifest: Manifest & Record<string, unknown>;
}

/**
 * Pack each installed folder as a tarball in `dest` (the folder's files under `package/`, as npm
 * publishes them; an installed package holds exactly its published files), four tar processes at a
 * time, fast gzip. GNU tar, not `npm pack`: npm refuses to pack a folder whose `devEngines` names
 * another package manager. `--hard-dereference`: pnpm's store hard-links files of equal content, which
 * tar would write as link entries, and npm skips link entries when it unpacks (expect-type lost
 * `dist/branding.js`, so vitest in an installed project could not start).
 */
export async function packFolders(folders: readonly string[], dest: string): Promise<Packed[]> {
  const jobs = folders.map((dir) => ({ dir, manifest: readManifest(dir) }));
  const out: Packed[] = [];
  const worker = async (): Promise<void> => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      const { dir, manifest } = job;
      const tarball = path.join(dest, `${manifest.name.replace(/^@/, '').replace(/\//g, '-')}-${manifest.version}.tgz`);
      const args = [
        '-cf',
        tarball,
        '--use-compress-program=gzip -1',
        '--hard-dereference',
        '--exclude=./node_modules',
        '--transform=s,^\\.,package,',
        '-C',
        dir,
        '.',
      ];
      await new Promise<void>((resolve, reject) => execFile('tar', args, (e) => (e ? reject(e) : resolve())));
      out.push({ tarball, manifest });
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}

/** The manifest inside a tarball (`package/package.json`). */
function tarballManifest(file: string): Manifest & Record<string, unknown> {
  return JSON.parse(execFileSync('tar', ['-xzOf', file, 'package/package.json']).toString());
}

/** A running local registry. */
export interface LocalRegistry {
  /** Names that some served package lists as an optional dependency or optional peer (npm may ask for them). */
  readonly optional: ReadonlySet<string>;
  /** Its address, for `npm --registry`. */
  readonly url: string;
  /** The package names it was asked for that it does not have (npm's 404s). */
  readonly misses: ReadonlySet<string>;
  close(): Promise<void>;
}

/** Serve the packed packages (a tarball path: its manifest is read from it) as an npm registry on 127.0.0.1. */
export async function startRegistry(packed: readonly (string | Packed)[]): Promise<LocalRegistry> {
  const packages = new Map<string, Map<string, Served>>();
  const optional = new Set<string>();
  for (const p of packed) {
    const { tarball, manifest } = typeof p === 'string' ? { tarball: p, manifest: tarballManifest(p) } : p;
    for (const name of Object.keys(manifest.optionalDependencies ?? {})) optional.add(name);
    for (const [name, meta] of Object.entries(manifest.peerDependenciesMeta ?? {})) if (meta.optional) optional.add(name);
    if (!packages.has(manifest.name)) packages.set(manifest.name, new Map());
    packages.get(manifest.name)!.set(manifest.version, { manifest, tarball });
  }
  const misses = new Set<string>();
  let base = '';
  const server: Server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const tarball = /^\/-\/tarball\/(.+)\/([^/]+)$/.exec(url);
    if (tarball) {
      const served = packages.get(tarball[1]!)?.get(tarball[2]!);
      if (!served) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      return void res.end(readFileSync(served.tarball));
    }
    const name = url.slice(1);
    const versions = packages.get(name);
    if (!versions) {
      misses.add(name);
      res.writeHead(404, { 'content-type': 'application/json' });
      return void res.end('{"error":"not found"}');
    }
    const sorted = [...versions.keys()];
    const packument = {
      name,
      'dist-tags': { latest: sorted[sorted.length - 1] },
      versions: Object.fromEntries(
        [...versions].map(([v, s]) => [v, { ...s.manifest, _id: `${name}@${v}`, dist: { tarball: `${base}/-/tarball/${name}/${v}` } }]),
      ),
    };
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(packument));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `${base}/`,
    optional,
    misses,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The `.tgz` files in `dir`. */
export const tarballsIn = (dir: string): string[] =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.tgz'))
    .map((f) => path.join(dir, f));
