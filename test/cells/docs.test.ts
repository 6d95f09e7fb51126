// docs/cells.md: the "define your own cell" example runs as written (importing from 'cellgrad'),
// and the page names every built-in cell.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinCells } from '@cellgrad/cells';
import { run } from '../cli/helpers.js';
import { repoRoot } from './helpers.js';

const page = readFileSync(path.join(repoRoot, 'docs/cells.md'), 'utf8');

describe('docs/cells.md', () => {
  it('documents every built-in cell', () => {
    for (const name of Object.keys(builtinCells)) expect(page).toContain(`| \`${name}\` |`);
  });

  it('the custom-cell example runs and prints its shape and a passing gradient check', async () => {
    const code = /```ts\n(\/\/ my-cell\.ts[\s\S]*?)```/.exec(page)?.[1];
    expect(code).toBeDefined();
    // Inside the repository's node_modules, so that 'cellgrad' resolves as it does for a user.
    const cache = path.join(repoRoot, 'node_modules/.cache');
    mkdirSync(cache, { recursive: true });
    const file = path.join(mkdtempSync(path.join(cache, 'cells-doc-')), 'my-cell.ts');
    writeFileSync(file, code!);
    const r = await run(['--conditions=@cellgrad/source', '--import', 'tsx', file]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('[ 6, 2, 8 ]\ntrue\n');
  });
});
