// docs/dynamics.md's API example is kept verbatim in examples/dynamics.ts; this test checks the two
// agree and that the example prints what its comments say.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('docs/dynamics.md', () => {
  it('keeps its API example equal to examples/dynamics.ts, which prints what the comments say', async () => {
    const doc = readFileSync(path.join(root, 'docs/dynamics.md'), 'utf8');
    const block = /## The API\n\n```ts\n([\s\S]*?)```/.exec(doc)![1]!;
    const file = readFileSync(path.join(root, 'examples/dynamics.ts'), 'utf8');
    expect(file.endsWith(block)).toBe(true);
    const logs: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => logs.push(a.map(String).join(' '));
    try {
      await import(pathToFileURL(path.join(root, 'examples/dynamics.ts')).href);
    } finally {
      console.log = log;
    }
    expect(logs).toEqual(['1 fixed 8', '0.000000 2.000000', '0.500+0.500i 0.500-0.500i', '-0.347 -0.347']);
  });
});
