// packages/testing/README.md's example is test/testing/readme-example.test.ts (run with the other
// tests), and its failure output is what the matcher prints for the wrong-VJP cell (timing aside).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkGradients, gradcheckMessage } from '@cellgrad/testing';
import { wrongCell } from './wrong-vjp.js';

const root = path.resolve(import.meta.dirname, '../..');
const readme = readFileSync(path.join(root, 'packages/testing/README.md'), 'utf8');
const untimed = (text: string): string => text.replace(/ in \d+\.\d+ s$/m, ' in <t> s');

describe('packages/testing/README.md', () => {
  it('keeps its example equal to readme-example.test.ts', () => {
    const block = /## Example\n\n```ts\n([\s\S]*?)```/.exec(readme)![1]!;
    expect(readFileSync(path.join(import.meta.dirname, 'readme-example.test.ts'), 'utf8').endsWith(block)).toBe(true);
  });

  it('shows the failure message the matcher gives', () => {
    const shown = /A failure reads[^\n]*\n\n```\n([\s\S]*?)\n```/.exec(readme)![1]!;
    expect(untimed(shown)).toBe(untimed(gradcheckMessage(checkGradients(wrongCell, { steps: 3 }), false)));
  });
});
