/**
 * The files `cellgrad init` writes: a research project that depends on cellgrad, with one example
 * cell (an Elman RNN on an activation of its own, softsign, whose gradient is derived by hand), a
 * vitest suite that gradient-checks it with `toPassGradcheck` and a fast-check property, and a README.
 */

/** What the project is called and what it depends on. */
export interface ScaffoldSpec {
  /** The npm package name of the project. */
  readonly name: string;
  /** Runtime dependencies (cellgrad: a version range, or `file:` tarballs). */
  readonly dependencies: Readonly<Record<string, string>>;
  /** Development dependencies (vitest, typescript, fast-check). */
  readonly devDependencies: Readonly<Record<string, string>>;
  /** The cellgrad version the project was made with. */
  readonly version: string;
}

function packageJson(s: ScaffoldSpec): string {
  const pkg = {
    name: s.name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: { test: 'vitest run', typecheck: 'tsc --noEmit', gradcheck: 'cellgrad gradcheck src/cell.ts' },
    dependencies: s.dependencies,
    devDependencies: s.devDependencies,
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "lib": ["ES2022"],
    "types": [],
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "noEmit": true,
    "skipLibCheck": true,
    "verbatimModuleSyntax": true
  },
  "include": ["src", "test", "vitest.config.ts"]
}
`;

const VITEST_CONFIG = `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/**/*.test.ts'], testTimeout: 60_000 },
});
`;

const CELL = `/**
 * An Elman RNN whose activation is softsign, x / (1 + |x|): an op cellgrad does not have, defined
 * here once (value and hand-derived gradient together). Change the step, or the VJP, and run
 * \`npm test\`: the gradients are checked against finite differences.
 */
import { defineCell, defineElementwise, linear } from 'cellgrad';

/** softsign(x) = x / (1 + |x|); its derivative is 1 / (1 + |x|)². */
export const softsign = defineElementwise({
  name: 'my_softsign',
  arity: 1,
  doc: 'x / (1 + |x|)',
  fn: (x) => x / (1 + Math.abs(x)),
  // The vector-Jacobian product: the cotangent times the derivative.
  vjp: ({ inputs: [x], grad }) => [grad.div(x!.abs().add(1).square())],
});

/** h' = softsign(W x + b + U h). */
export const softsignRnn = defineCell({
  name: 'softsign_rnn',
  params: ({ input: I, hidden: H }) => ({ W: [H, I], U: [H, H], b: [H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { W, U, b }) => ({ h: softsign(linear(x, W, b).add(linear(h, U))) }),
});
`;

const TEST = `import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { arb } from 'cellgrad/testing';
import { softsignRnn } from '../src/cell.js';

describe('softsign_rnn', () => {
  it('has the gradients of the function it computes (every Jacobian element)', () => {
    expect(softsignRnn).toPassGradcheck({ input: 3, hidden: 4, batch: 2, steps: 4 });
  });

  it('stacked and bidirectional, second derivatives too', () => {
    expect(softsignRnn).toPassGradcheck({ steps: 3, layers: 2, bidirectional: true, mode: 'fast', order: 2 });
  });

  it('at any small size and seed (a fast-check property)', () => {
    fc.assert(
      fc.property(arb.cellSizes({ maxSteps: 4 }), arb.seed(), (sizes, seed) => {
        expect(softsignRnn).toPassGradcheck({ ...sizes, seed, mode: 'fast' });
      }),
      { numRuns: 20 },
    );
  });
});
`;

function readme(s: ScaffoldSpec): string {
  return `# ${s.name}

A recurrent-network research project on [cellgrad](https://www.npmjs.com/package/cellgrad) ${s.version}
(made by \`cellgrad init\`). A cell is one symbolic time step; cellgrad unrolls it, differentiates it
and checks every gradient against central finite differences in float64.

\`\`\`sh
npm install
npm test            # vitest: the cell's gradients, checked
npm run typecheck   # strict TypeScript
npm run gradcheck   # the same check from the command line, as a table
\`\`\`

## What is here

| file | what it holds |
| --- | --- |
| \`src/cell.ts\` | \`softsign_rnn\`: an Elman RNN on softsign, an op defined here with its hand-derived gradient (\`defineElementwise\` with a \`vjp\`) |
| \`test/cell.test.ts\` | \`expect(cell).toPassGradcheck({ … })\` at fixed sizes and as a fast-check property over sizes and seeds |
| \`vitest.config.ts\`, \`tsconfig.json\` | vitest and strict TypeScript settings |

## Checking gradients in tests

\`import 'cellgrad/testing'\` (or anything from it) registers the matcher:

\`\`\`ts
expect(cell).toPassGradcheck();                                  // input 3, hidden 4, batch 2, steps 5
expect(cell).toPassGradcheck({ steps: 8, layers: 2, bidirectional: true, lengths: true });
expect(cell).toPassGradcheck({ mode: 'fast', order: 2, atol: 1e-6, rtol: 1e-4, seed: 3 });
expect(graph).toPassGradcheck({ feeds });                        // any graph, e.g. unroll(cell, …) with a loss
\`\`\`

It unrolls the cell in float64, feeds seeded values and compares every symbolic derivative with
central differences (PyTorch's criterion: |analytic − numeric| ≤ atol + rtol·|numeric|). When a
gradient is wrong, the test fails with the gradcheck table: for each input the largest errors, the
worst element with its time step, and FAIL. Try it: in \`src/cell.ts\` drop the \`.square()\` from the
VJP and run \`npm test\`.

\`arb\` (from \`cellgrad/testing\`) holds fast-check arbitraries: \`arb.cellSizes({ maxSteps, … })\`,
\`arb.seed()\`, \`arb.cellFeeds(cell, sizes)\`, \`arb.graphFeeds(graph)\` and \`arb.randomCell()\`.

## Next

Add cells of your own next to \`src/cell.ts\` (\`defineCell\`: parameters, states and one step) and a
line per cell in the tests. \`npx cellgrad --help\` lists the commands: train a cell on a task
(\`npx cellgrad train --cell src/cell.ts:softsignRnn --task adding\`), measure its gradient flow, draw
its graph, export it to ONNX.
`;
}

const GITIGNORE = 'node_modules/\n';

/** The files of a new project, by path relative to its folder, in the order they are written. */
export function scaffoldFiles(s: ScaffoldSpec): readonly (readonly [path: string, content: string])[] {
  return [
    ['package.json', packageJson(s)],
    ['tsconfig.json', TSCONFIG],
    ['vitest.config.ts', VITEST_CONFIG],
    ['src/cell.ts', CELL],
    ['test/cell.test.ts', TEST],
    ['README.md', readme(s)],
    ['.gitignore', GITIGNORE],
  ];
}
