// Every package is publishable as it stands: a README whose example runs and prints what the README
// says (from source here; test/install runs the same examples against the installed tarballs), the
// project's LICENSE, and the package.json fields a registry and both module systems need.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../cli/helpers.js';
import { packageFolders, readmeExample, scriptExampleFolders } from './package-readmes.js';

const root = path.resolve(import.meta.dirname, '../..');
const folders = packageFolders(root);
const license = readFileSync(path.join(root, 'LICENSE'), 'utf8');

describe('package READMEs, licenses and manifests', () => {
  it.each(scriptExampleFolders(root))('packages/%s: its README example prints what the README shows', async (folder) => {
    const example = readmeExample(root, folder);
    expect(example, `packages/${folder}/README.md has no "## Example" js block followed by a text block`).toBeDefined();
    // Inside the repository's node_modules, so that the packages resolve as they do for a user.
    const dir = path.join(root, 'node_modules/.cache', `readme-${folder}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'example.mjs'), example!.code);
    const r = await run(['--conditions=@cellgrad/source', '--import', 'tsx', path.join(dir, 'example.mjs')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(example!.output);
  });

  it.each(folders)('packages/%s: LICENSE and package.json are ready to publish', (folder) => {
    const dir = path.join(root, 'packages', folder);
    expect(readFileSync(path.join(dir, 'LICENSE'), 'utf8')).toBe(license);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg.license).toBe('MIT');
    expect(pkg.repository).toMatchObject({ type: 'git', directory: `packages/${folder}` });
    expect(pkg.engines).toEqual({ node: '>=20' });
    expect(pkg.publishConfig).toEqual({ access: 'public' });
    expect(pkg.sideEffects).toBeDefined();
    expect(pkg.files).toEqual(expect.arrayContaining(['dist', 'cjs', 'README.md', 'LICENSE']));
    for (const [sub, entry] of Object.entries(pkg.exports as Record<string, unknown>)) {
      if (sub === './package.json') continue;
      const e = entry as Record<string, { types: string; default: string }>;
      expect(Object.keys(e), sub).toEqual(['@cellgrad/source', 'import', 'require']);
      expect(e.import!.types.replace(/^\.\/dist\//, '')).toBe(e.require!.types.replace(/^\.\/cjs\//, ''));
      expect(e.import!.default.replace(/^\.\/dist\//, '')).toBe(e.require!.default.replace(/^\.\/cjs\//, ''));
    }
    const runtime = Object.keys(pkg.dependencies ?? {});
    expect(runtime.filter((d) => d.startsWith('@types/') || d === 'typescript' || d === 'vitest')).toEqual([]);
  });

  it('keeps ONNX Runtime an optional peer of @cellgrad/onnx only', () => {
    const onnx = JSON.parse(readFileSync(path.join(root, 'packages/onnx/package.json'), 'utf8'));
    expect(onnx.dependencies['onnxruntime-node']).toBeUndefined();
    expect(onnx.peerDependenciesMeta['onnxruntime-node']).toEqual({ optional: true });
    for (const folder of folders) {
      const pkg = JSON.parse(readFileSync(path.join(root, 'packages', folder, 'package.json'), 'utf8'));
      expect(pkg.dependencies?.['onnxruntime-node'], folder).toBeUndefined();
    }
  });
});
