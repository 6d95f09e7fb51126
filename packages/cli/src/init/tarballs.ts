/**
 * `cellgrad init --from <dir>`: the packed cellgrad tarballs in a folder (what `pnpm -r pack`
 * writes: `cellgrad-0.1.0.tgz`, `cellgrad-graph-0.1.0.tgz`, …), as `file:` dependencies, so the
 * project installs without a registry. Every cellgrad package is listed, so npm takes the internal
 * dependencies (`@cellgrad/graph@0.1.0`) from the tarballs too.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { usage } from '../errors.js';

/** `cellgrad-<version>.tgz` or `cellgrad-<package>-<version>.tgz`. */
const TARBALL = /^cellgrad(?:-([a-z][a-z0-9-]*?))?-(\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?)\.tgz$/;

/** The npm name of a tarball's package from its file name (`cellgrad-graph-0.1.0.tgz` → `@cellgrad/graph`), or undefined. */
export function tarballPackage(file: string): { readonly name: string; readonly version: string } | undefined {
  const m = TARBALL.exec(file);
  if (!m) return undefined;
  return { name: m[1] ? `@cellgrad/${m[1]}` : 'cellgrad', version: m[2]! };
}

/**
 * The `file:` dependencies for every cellgrad tarball in `dir` (absolute paths, by package name).
 * A usage error when `dir` is not a folder, or holds no `cellgrad-<version>.tgz`.
 */
export function tarballDependencies(dir: string): Record<string, string> {
  const abs = path.resolve(dir);
  let files: string[];
  try {
    if (!statSync(abs).isDirectory()) usage(`init --from ${dir}: not a folder (give the folder holding the packed .tgz files)`);
    files = readdirSync(abs).sort();
  } catch (e) {
    if (e instanceof Error && 'code' in e) usage(`init --from ${dir}: cannot read ${abs} (${String(e.code)})`);
    throw e;
  }
  const deps: Record<string, string> = {};
  for (const file of files) {
    const pkg = tarballPackage(file);
    if (!pkg) continue;
    if (deps[pkg.name]) usage(`init --from ${dir}: two tarballs of ${pkg.name} (${path.basename(deps[pkg.name]!.slice(5))} and ${file}); keep one`);
    deps[pkg.name] = `file:${path.join(abs, file)}`;
  }
  if (!deps.cellgrad) {
    usage(`init --from ${dir}: no cellgrad-<version>.tgz in ${abs} (write them with: pnpm -r pack --pack-destination ${abs})`);
  }
  return deps;
}
