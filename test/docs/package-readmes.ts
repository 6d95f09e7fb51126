/**
 * The example of each package's README: the `js` block under `## Example` and the `text` block after
 * it, which is exactly what the example prints. The README tests run these (from source here, from
 * the installed tarballs in test/install).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** One package's README example. */
export interface ReadmeExample {
  /** The folder under packages/. */
  readonly folder: string;
  readonly code: string;
  /** What it prints. */
  readonly output: string;
}

const EXAMPLE = /## Example\n\n```js\n([\s\S]*?)```\n\n```text\n([\s\S]*?)```/;

/** The example of packages/<folder>/README.md, or undefined when it has none. */
export function readmeExample(root: string, folder: string): ReadmeExample | undefined {
  const m = EXAMPLE.exec(readFileSync(path.join(root, 'packages', folder, 'README.md'), 'utf8'));
  return m ? { folder, code: m[1]!, output: m[2]! } : undefined;
}

/** The package folders under packages/. */
export const packageFolders = (root: string): string[] => readdirSync(path.join(root, 'packages')).sort();

/**
 * Packages whose README example is a vitest test file rather than a script with printed output:
 * @cellgrad/testing's (test/testing/readme-example.test.ts runs it with vitest).
 */
const VITEST_EXAMPLES = new Set(['testing']);

/** The package folders whose README example is a script that prints what the README shows. */
export const scriptExampleFolders = (root: string): string[] => packageFolders(root).filter((f) => !VITEST_EXAMPLES.has(f));
