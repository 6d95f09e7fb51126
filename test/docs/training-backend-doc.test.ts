// docs/training.md's ONNX Runtime example is kept verbatim in examples/train-onnxruntime.ts; this test
// checks they agree and that it prints what its comments say.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

it("docs/training.md's ONNX Runtime example equals examples/train-onnxruntime.ts, which prints what the comments say", async () => {
  const doc = readFileSync(path.join(root, 'docs/training.md'), 'utf8');
  const block = /## Training on ONNX Runtime[^\n]*\n[\s\S]*?```ts\n([\s\S]*?)```/.exec(doc)![1]!;
  const file = readFileSync(path.join(root, 'examples/train-onnxruntime.ts'), 'utf8');
  expect(file.endsWith(block)).toBe(true);
  const logs: unknown[][] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => logs.push(a);
  try {
    await import(pathToFileURL(path.join(root, 'examples/train-onnxruntime.ts')).href);
  } finally {
    console.log = log;
  }
  expect(logs).toEqual([[true], [6], [['cellgrad', 'onnxruntime']]]);
}, 120_000);
