#!/usr/bin/env node
// `pnpm lint`: Biome checks formatting and the lint rules of biome.jsonc (warnings count as errors),
// then TypeDoc checks that every exported symbol of the public entry points has a doc comment
// (typedoc.json; nothing is written), then, when the workspace has a .dependency-cruiser.cjs,
// dependency-cruiser checks the import layering of the packages. Exits non-zero when any finds something.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? `${name}.cmd` : name);

/** Run one checker from the workspace root; true when it passed. */
function step(label, command, args) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  const ok = r.status === 0;
  console.log(`${label}: ${ok ? 'passed' : r.error ? `could not run (${r.error.message})` : 'FAILED (see above)'}`);
  return ok;
}

let ok = step('biome', bin('biome'), ['ci', '--diagnostic-level=warn', '--error-on-warnings', '--max-diagnostics=20', '.']);
ok = step('typedoc (every export documented)', bin('typedoc'), ['--emit', 'none', '--logLevel', 'Warn']) && ok;
const cruiser = path.join(root, '.dependency-cruiser.cjs');
if (existsSync(cruiser)) {
  ok = step('dependency-cruiser', bin('depcruise'), ['--config', cruiser, 'packages']) && ok;
}
process.exit(ok ? 0 : 1);
