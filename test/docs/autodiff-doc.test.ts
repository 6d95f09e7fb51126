// docs/autodiff.md's forward-mode example is kept verbatim in examples/forward-mode.ts; this test checks
// the two agree and that the example prints what its comments say.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('docs/autodiff.md', () => {
  it('keeps its forward-mode example equal to examples/forward-mode.ts, which prints what the comments say', async () => {
    const doc = readFileSync(path.join(root, 'docs/autodiff.md'), 'utf8');
    const block = /## Forward mode\n\n```ts\n([\s\S]*?)```/.exec(doc)![1]!;
    const file = readFileSync(path.join(root, 'examples/forward-mode.ts'), 'utf8');
    expect(file.endsWith(block)).toBe(true);
    const logs: unknown[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => logs.push(a[0]);
    try {
      await import(pathToFileURL(path.join(root, 'examples/forward-mode.ts')).href);
    } finally {
      console.log = log;
    }
    expect(logs).toEqual([true, 'tan:weight_hh', true, '16×4', true]);
    // every comment's promised value is what was printed
    const promised = [...block.matchAll(/console\.log\(.*\); \/\/ (.+)$/gm)].map((m) => m[1]);
    expect(promised).toEqual(logs.map(String));
  });
});
