// docs/training.md's regularisation example is kept verbatim in examples/regularize.ts; this test
// checks the two agree and that the example prints what its comments say.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('docs/training.md', () => {
  it('keeps its regularisation example equal to examples/regularize.ts, which prints what the comments say', async () => {
    const doc = readFileSync(path.join(root, 'docs/training.md'), 'utf8');
    const block = /## Regularisation\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)![1]!;
    const file = readFileSync(path.join(root, 'examples/regularize.ts'), 'utf8');
    expect(file.endsWith(block)).toBe(true);
    const logs: unknown[][] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => logs.push(a);
    try {
      await import(pathToFileURL(path.join(root, 'examples/regularize.ts')).href);
    } finally {
      console.log = log;
    }
    expect(logs).toEqual([['key'], [true], [true], [true], [false]]);
  });
});
