// docs/loop.md's example is kept verbatim in examples/loop.ts; this test checks the two agree and that
// the example prints what its comments say.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('docs/loop.md', () => {
  it('keeps its example equal to examples/loop.ts, which prints what the comments say', async () => {
    const doc = readFileSync(path.join(root, 'docs/loop.md'), 'utf8');
    const block = /## The example\n\n[^\n]*\n\n```ts\n([\s\S]*?)```/.exec(doc)![1]!;
    const file = readFileSync(path.join(root, 'examples/loop.ts'), 'utf8');
    expect(file.endsWith(block)).toBe(true);
    const logs: string[] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => logs.push(a.map(String).join(' '));
    try {
      await import(pathToFileURL(path.join(root, 'examples/loop.ts')).href);
    } finally {
      console.log = log;
    }
    expect(logs).toEqual(['2', 'true', 'true', 'true', '2 true']);
    const promised = [...block.matchAll(/console\.log\(.*\); \/\/ (\S+(?: \S+)?)/gm)].map((m) => m[1]!.replace(/ \(.*$/, ''));
    expect(promised).toEqual(['2', 'true', 'true', 'true', '2 true']);
  });
});
