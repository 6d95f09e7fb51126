// `cellgrad init <dir>`: the files it writes; a non-empty folder is refused with nothing written;
// `--from` points every dependency at packed tarballs; the dev dependencies match the repository's.
// The project installed from the packed tarballs, its `npm test` passing and failing with the
// gradcheck table on a wrong VJP, is test/install/install.test.ts (it shares that test's registry).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SCAFFOLD_DEV_DEPENDENCIES } from '../../packages/cli/src/init/versions.js';
import { tarballPackage } from '../../packages/cli/src/init/tarballs.js';
import { cellgrad, cellgradMany, repoRoot, tempDir } from './helpers.js';

const FILES = ['.gitignore', 'README.md', 'package.json', 'src', 'test', 'tsconfig.json', 'vitest.config.ts'];
const version = (JSON.parse(readFileSync(path.join(repoRoot, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;

describe('cellgrad init', () => {
  it('scaffolds the project files, with the example op as docs/testing-helpers.md shows it', async () => {
    const dir = path.join(tempDir('cellgrad-init-'), 'My Research');
    const r = await cellgrad(['init', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`created my-research in ${dir} (cellgrad ${version}):`);
    expect(readdirSync(dir).sort()).toEqual(FILES);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    expect(pkg.dependencies).toEqual({ cellgrad: `^${version}` });
    expect(pkg.scripts.test).toBe('vitest run');
    const source = readFileSync(path.join(dir, 'src/cell.ts'), 'utf8');
    const docs = readFileSync(path.join(repoRoot, 'docs/testing-helpers.md'), 'utf8');
    expect(source).toContain(/```ts\n(export const softsign[\s\S]*?)```/.exec(docs)![1]!);
  });

  it('refuses a folder that is not empty or a file, writing nothing; --from points at every cellgrad tarball (file:)', async () => {
    const dir = tempDir('cellgrad-init-');
    const notes = path.join(dir, 'notes.txt');
    writeFileSync(notes, 'mine');
    const packs = tempDir('cellgrad-packs-');
    for (const f of ['cellgrad-0.1.0.tgz', 'cellgrad-graph-0.1.0.tgz', 'cellgrad-testing-0.1.0.tgz', 'other-1.0.0.tgz']) writeFileSync(path.join(packs, f), '');
    const offline = path.join(tempDir('cellgrad-init-'), 'offline');
    const empty = tempDir('cellgrad-packs-');
    const never = path.join(tempDir('cellgrad-init-'), 'p');
    const [full, onFile, fromPacks, fromEmpty] = await cellgradMany([
      ['init', dir],
      ['init', notes],
      ['init', offline, '--from', packs, '--name', 'lab-cells'],
      ['init', never, '--from', empty],
    ]);

    expect(full!.code).toBe(2);
    expect(full!.stderr).toBe(`cellgrad: init: ${dir} is not empty (1 entry: notes.txt); choose a new or empty folder, nothing was written\n`);
    expect(onFile!.code).toBe(2);
    expect(onFile!.stderr).toMatch(/exists and is not a folder; nothing was written/);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    expect(readFileSync(notes, 'utf8')).toBe('mine');

    expect(fromPacks!.code, fromPacks!.stderr).toBe(0);
    const pkg = JSON.parse(readFileSync(path.join(offline, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('lab-cells');
    expect(pkg.dependencies).toEqual({
      cellgrad: `file:${path.join(packs, 'cellgrad-0.1.0.tgz')}`,
      '@cellgrad/graph': `file:${path.join(packs, 'cellgrad-graph-0.1.0.tgz')}`,
      '@cellgrad/testing': `file:${path.join(packs, 'cellgrad-testing-0.1.0.tgz')}`,
    });
    expect(fromEmpty!.code).toBe(2);
    expect(fromEmpty!.stderr).toMatch(/^cellgrad: init --from .*: no cellgrad-<version>\.tgz in .* \(write them with: pnpm -r pack --pack-destination /);
    expect(existsSync(never)).toBe(false);
  });

  it('names tarballs as pnpm pack writes them', () => {
    expect(tarballPackage('cellgrad-0.1.0.tgz')).toEqual({ name: 'cellgrad', version: '0.1.0' });
    expect(tarballPackage('cellgrad-autodiff-0.1.0.tgz')).toEqual({ name: '@cellgrad/autodiff', version: '0.1.0' });
    expect(tarballPackage('cellgrad-onnx-1.2.3-rc.1.tgz')).toEqual({ name: '@cellgrad/onnx', version: '1.2.3-rc.1' });
    expect(tarballPackage('cellgradx-0.1.0.tgz')).toBeUndefined();
  });

  it("asks for vitest, TypeScript and fast-check at the repository's own ranges", () => {
    const root = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    for (const [name, range] of Object.entries(SCAFFOLD_DEV_DEPENDENCIES)) expect(range, name).toBe(root.devDependencies[name]);
  });
});
