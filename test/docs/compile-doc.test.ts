// docs/compile.md's example is kept verbatim in examples/compile-step.ts; this test checks the two
// agree and that the example prints what its comments say.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('docs/compile.md', () => {
  it('keeps its example equal to examples/compile-step.ts, which prints what the comments say', async () => {
    const doc = readFileSync(path.join(root, 'docs/compile.md'), 'utf8');
    const block = /## The example\n\n[^\n]*\n\n```ts\n([\s\S]*?)```/.exec(doc)![1]!;
    const file = readFileSync(path.join(root, 'examples/compile-step.ts'), 'utf8');
    expect(file.endsWith(block)).toBe(true);
    const logs: unknown[][] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => logs.push(a);
    try {
      await import(pathToFileURL(path.join(root, 'examples/compile-step.ts')).href);
    } finally {
      console.log = log;
    }
    expect(logs).toEqual([[true, 16384], ['wasm-simd-4x8'], [true], [true], [true]]);
  });
});
