// The core bundles for a browser: esbuild `--bundle --platform=browser` of a script importing
// @cellgrad/graph, @cellgrad/autodiff and @cellgrad/cells (their TypeScript sources, through the
// `@cellgrad/source` condition: the same import graph as dist/) must find no Node built-in module.
// Every import of one is recorded with the file that makes it, so a failure lists them all
// (`node:fs imported by packages/cells/src/...`); the bundle is then run, as a page would run it.
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../cli/helpers.js';

const BUILTIN = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

const ENTRY = `
import { interpret } from '@cellgrad/graph';
import { gradcheck } from '@cellgrad/autodiff';
import { lstm, unroll, cellFeeds } from '@cellgrad/cells';
const sizes = { input: 2, hidden: 3, batch: 1, steps: 2 };
const g = unroll(lstm, { ...sizes, dtype: 'float64' });
const feeds = cellFeeds(lstm, sizes, 1);
globalThis.result = { shape: interpret(g, feeds).out.shape, passed: gradcheck(g, feeds, { mode: 'fast' }).passed };
`;

/** Records every import of a Node built-in (and keeps it external so the build goes on to find the rest). */
function recordBuiltins(found: string[]): Plugin {
  return {
    name: 'record-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!BUILTIN.has(args.path)) return undefined;
        found.push(`${args.path} imported by ${path.relative(repoRoot, args.importer) || args.importer}`);
        return { path: args.path, external: true };
      });
    },
  };
}

describe('the core in a browser bundle', () => {
  it('esbuild --bundle --platform=browser of graph, autodiff and cells imports no Node built-in module', async () => {
    const found: string[] = [];
    const result = await build({
      stdin: { contents: ENTRY, resolveDir: repoRoot, sourcefile: 'browser-entry.js', loader: 'js' },
      bundle: true,
      platform: 'browser',
      format: 'esm',
      conditions: ['@cellgrad/source'],
      write: false,
      metafile: true,
      logLevel: 'silent',
      plugins: [recordBuiltins(found)],
    });
    expect(result.errors).toEqual([]);
    expect(found.sort().join('\n')).toBe('');
    // The bundle's own imports (what stayed external) are none.
    expect(Object.values(result.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path))).toEqual([]);
    const code = result.outputFiles[0]!.text;
    // Run the bundle as a module without Node's globals in reach of its imports.
    const url = `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`;
    await import(/* @vite-ignore */ url);
    expect((globalThis as { result?: unknown }).result).toEqual({ shape: [2, 1, 3], passed: true });
  });
});
