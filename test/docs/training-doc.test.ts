// docs/training.md's regularisation, network and RTRL examples are kept verbatim in examples/regularize.ts,
// examples/train-network.ts and examples/train-rtrl.ts; this test checks they agree and that they print what their comments say.
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

  it('keeps its network example equal to examples/train-network.ts, which prints what the comments say', async () => {
    const doc = readFileSync(path.join(root, 'docs/training.md'), 'utf8');
    const block = /## Stacked, bidirectional[^\n]*\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)![1]!;
    const file = readFileSync(path.join(root, 'examples/train-network.ts'), 'utf8');
    expect(file.endsWith(block)).toBe(true);
    const logs: unknown[][] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => logs.push(a);
    try {
      await import(pathToFileURL(path.join(root, 'examples/train-network.ts')).href);
    } finally {
      console.log = log;
    }
    expect(logs).toEqual([[true], [true], [true], [true], [true]]);
  }, 60_000);

  it('keeps its RTRL example equal to examples/train-rtrl.ts, which prints what the comments say', async () => {
    const doc = readFileSync(path.join(root, 'docs/training.md'), 'utf8');
    const block = /## Real-time recurrent learning[^\n]*\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)![1]!;
    const file = readFileSync(path.join(root, 'examples/train-rtrl.ts'), 'utf8');
    expect(file.endsWith(block)).toBe(true);
    const logs: unknown[][] = [];
    const log = console.log;
    console.log = (...a: unknown[]) => logs.push(a);
    try {
      await import(pathToFileURL(path.join(root, 'examples/train-rtrl.ts')).href);
    } finally {
      console.log = log;
    }
    expect(logs).toEqual([[true], [{ rows: 8, cols: 128, entries: 1024 }], [{ rows: 8, cols: 128, entries: 224 }], [4]]);
  }, 120_000);
});
