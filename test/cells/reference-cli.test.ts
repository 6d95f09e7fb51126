// `cellgrad reference` on the whole shared reference directories (base and extended): every cell is
// built in (no --cells), every case passes to 1e-9, and the summary has one row per file.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cellgrad } from '../cli/helpers.js';
import { referenceDir, referenceExtendedDir } from './helpers.js';

describe('cellgrad reference <dir>', () => {
  it('passes every file of ../shared/reference without --cells', async () => {
    const r = await cellgrad(['reference', referenceDir, '--tolerance', '1e-9']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const files = readdirSync(referenceDir).filter((f) => f.endsWith('.json'));
    for (const f of files) expect(r.stdout).toMatch(new RegExp(`\\n${f.replace('.', '\\.')}\\s+\\w+\\s+[12]\\s+\\S+\\s+\\S+\\s+pass\\n`));
    expect(r.stdout).toContain(`PASSED: all ${files.length} cases`);
    expect(r.stdout).not.toContain('FAIL');
  });

  it('passes every file of ../shared/reference-extended (bidirectional, packed, projected, batch-first, layer norm)', async () => {
    const r = await cellgrad(['reference', referenceExtendedDir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const files = readdirSync(referenceExtendedDir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(10);
    for (const f of files) expect(r.stdout).toMatch(new RegExp(`\\n${f.replace('.', '\\.')}\\s+\\w+\\s+[12]\\s+\\S+\\s+\\S+\\s+pass\\n`));
    expect(r.stdout).toContain('PASSED: all 10 cases');
  });
});
