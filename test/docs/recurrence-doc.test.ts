// docs/recurrence.md's examples are kept verbatim in examples/recurrence.ts and examples/scan-forms.ts;
// this test checks they agree and that the examples print what their comments say.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

describe('docs/recurrence.md', () => {
  it('keeps its example equal to examples/recurrence.ts, which prints what the comments say', async () => {
    const doc = readFileSync(path.join(root, 'docs/recurrence.md'), 'utf8');
    const block = /## Your own cell\n\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)![1]!;
    const file = readFileSync(path.join(root, 'examples/recurrence.ts'), 'utf8');
    expect(block).toBe(file);
    const logs: unknown[][] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => logs.push(a);
    try {
      await import(pathToFileURL(path.join(root, 'examples/recurrence.ts')).href);
    } finally {
      console.log = log;
    }
    expect(logs).toEqual([[true, ['input', 'mul', 'add']], [1, true], [true], [true]]);
  });

  it('keeps its scan-forms example equal to examples/scan-forms.ts, which prints what the comments say', async () => {
    const doc = readFileSync(path.join(root, 'docs/recurrence.md'), 'utf8');
    const block = /### Both, in code\n\n[^\n]*\n\n```ts\n([\s\S]*?)```/.exec(doc)![1]!;
    expect(block).toBe(readFileSync(path.join(root, 'examples/scan-forms.ts'), 'utf8'));
    const logs: unknown[][] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => logs.push(a);
    try {
      await import(pathToFileURL(path.join(root, 'examples/scan-forms.ts')).href);
    } finally {
      console.log = log;
    }
    expect(logs).toEqual([[1, true], [1], [true], [true]]);
  });
});
