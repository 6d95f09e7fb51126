#!/usr/bin/env node
// The CommonJS build of every package: after `tsc -b` has written the ES modules to `dist/`, each
// `dist/**/*.js` is converted file by file (esbuild's transform) to `cjs/**/*.js`, beside a
// `cjs/package.json` of `"type": "commonjs"`, and each declaration file is copied to `cjs/` so
// `require` resolves types that TypeScript reads as CommonJS. `cjs/` mirrors `dist/` at the same
// depth, so paths a module computes from its own URL (`../package.json`) stay right;
// `import.meta.url` and `import.meta.resolve` become their CommonJS equivalents.
// Usage: node scripts/build-cjs.mjs [package folder ...] (default: every packages/*).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformSync } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const META_SHIM = [
  "const __cellgradImportMetaUrl = require('node:url').pathToFileURL(__filename).href;",
  "const __cellgradImportMetaResolve = (s) => require('node:url').pathToFileURL(require.resolve(s)).href;",
].join('\n');

/** Every file under `dir`, as paths relative to it. */
function walk(dir, rel = '') {
  return readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(dir, path.join(rel, e.name)) : [path.join(rel, e.name)],
  );
}

/**
 * The `cjs/package.json` of a package: `"type": "commonjs"` and, since this file is the nearest
 * manifest of every CommonJS module and so the scope of its `#name` imports, the package's `imports`
 * map with each `require` target made relative to `cjs/` (`./cjs/x.js` becomes `./x.js`).
 */
function cjsManifest(pkgDir) {
  const { imports } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  if (!imports) return { type: 'commonjs' };
  /** The CommonJS target of one import condition's value, or undefined when it has none. */
  const requireTarget = (v) => (typeof v === 'object' && v !== null && typeof v.require === 'string' ? v.require.replace(/^\.\/cjs\//, './') : undefined);
  const mapped = {};
  for (const [name, spec] of Object.entries(imports)) {
    const conditions = {};
    for (const [condition, value] of Object.entries(spec)) {
      const target = requireTarget(value);
      if (target !== undefined) conditions[condition] = target;
    }
    if (Object.keys(conditions).length > 0) mapped[name] = conditions;
  }
  return { type: 'commonjs', imports: mapped };
}

/** Convert one package's `dist/` to `cjs/`; returns the number of modules written. */
export function buildCjs(pkgDir) {
  const dist = path.join(pkgDir, 'dist');
  if (!existsSync(dist)) throw new Error(`build-cjs: ${dist} does not exist; run tsc -b first (pnpm build)`);
  const out = path.join(pkgDir, 'cjs');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  writeFileSync(path.join(out, 'package.json'), `${JSON.stringify(cjsManifest(pkgDir), null, 2)}\n`);
  let modules = 0;
  for (const rel of walk(dist)) {
    const target = path.join(out, rel);
    if (rel.endsWith('.d.ts')) {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, readFileSync(path.join(dist, rel), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'));
    } else if (rel.endsWith('.js')) {
      const source = readFileSync(path.join(dist, rel), 'utf8').replace(/^#!.*\n/, '');
      const usesMeta = source.includes('import.meta');
      // An executable (`bin.js`) awaits at top level: it stays an ES module only.
      if (/^await |^\S.*= await /m.test(source)) continue;
      const { code } = transformSync(source, {
        format: 'cjs',
        platform: 'node',
        target: 'node20',
        sourcefile: rel,
        define: usesMeta ? { 'import.meta.url': '__cellgradImportMetaUrl', 'import.meta.resolve': '__cellgradImportMetaResolve' } : {},
        banner: usesMeta ? META_SHIM : '',
      });
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, code.replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n'));
      modules++;
    }
  }
  return modules;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const given = process.argv.slice(2);
  const dirs = given.length > 0 ? given.map((d) => path.resolve(d)) : readdirSync(path.join(root, 'packages')).map((d) => path.join(root, 'packages', d));
  for (const dir of dirs) console.log(`cjs: ${path.relative(root, dir)} (${buildCjs(dir)} modules)`);
}
