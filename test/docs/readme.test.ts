// The README's code example is kept verbatim in examples/readme-cell.ts; this test checks the two
// agree, that the example runs and its gradients pass, and that the quick start matches .ci/run.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(root, 'README.md'), 'utf8');

describe('README', () => {
  it('keeps its cell example equal to examples/readme-cell.ts, which runs and passes gradcheck', async () => {
    const block = /## A cell of your own\n\n```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    const file = readFileSync(path.join(root, 'examples/readme-cell.ts'), 'utf8');
    expect(file.endsWith(block)).toBe(true);
    const logs: unknown[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => logs.push(a[0]);
    try {
      const mod = (await import(pathToFileURL(path.join(root, 'examples/readme-cell.ts')).href)) as { mgu: { name: string } };
      expect(mod.mgu.name).toBe('mgu');
    } finally {
      console.log = log;
    }
    expect(logs).toEqual([true]);
  });

  it('gives exactly two quick-start commands, the second being the one .ci/run runs', () => {
    const block = /## Quick start\n\n```\n([\s\S]*?)```/.exec(readme)![1]!;
    const lines = block.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/ demo$/);
    const ci = readFileSync(path.join(root, '.ci/run'), 'utf8');
    expect(ci).toContain(`TEST_COMMAND='${lines[1]}'`);
  });
});
