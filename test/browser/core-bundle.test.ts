// The core bundles for a browser: esbuild --bundle --platform=browser of a script importing
// @cellgrad/graph and @cellgrad/autodiff succeeds, and the bundle has no trace of Node's
// worker_threads (the matmul pool reaches it through `#worker-platform`, whose browser branch uses
// Web Workers). The bundle then runs a compiled, threaded plan under Node's own globals, where the
// web platform finds no cross-origin isolation and the plan falls back to one thread.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'cellgrad-core-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENTRY = `
import { buildGraph, compile, interpret } from '@cellgrad/graph';
import { grad } from '@cellgrad/autodiff';
const g = buildGraph((b) => {
  const a = b.input('a', [64, 128]);
  const w = b.input('w', [128, 256]);
  return { loss: a.matmul(w).tanh().sum() };
}, { dtype: 'float32' });
const dg = grad(g, { of: 'loss' });
const fill = (n, s) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * s));
const feeds = { a: { shape: [64, 128], data: fill(64 * 128, 0.37) }, w: { shape: [128, 256], data: fill(128 * 256, 0.11) } };
const exe = compile(dg, { threads: 2 });
const out = exe.run(feeds);
const ref = interpret(dg, feeds);
export const result = { kernel: exe.stats.matmulKernel, loss: out.loss.data[0], ref: ref.loss.data[0] };
`;

async function bundle(platform: 'browser' | 'node'): Promise<string> {
  const result = await build({
    stdin: { contents: ENTRY, resolveDir: root, loader: 'js' },
    bundle: true,
    platform,
    format: 'esm',
    conditions: ['@cellgrad/source'],
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

describe('the core in a browser bundle', () => {
  it('bundles with --platform=browser and contains no worker_threads', async () => {
    const code = await bundle('browser');
    expect(code).not.toMatch(/worker_threads/);
    expect(code).toMatch(/cellgrad-worker/); // the Web Worker branch is the one bundled
    const file = path.join(dir, 'browser.mjs');
    writeFileSync(file, code);
    const { result } = await import(pathToFileURL(file).href);
    // Node has no crossOriginIsolated: the browser platform runs the plan on one thread.
    expect(result.kernel).not.toMatch(/threads/);
    expect(Math.abs(result.loss - result.ref)).toBeLessThanOrEqual(1e-3 * Math.abs(result.ref));
  });

  it('the Node bundle keeps worker_threads and runs on two threads', async () => {
    const code = await bundle('node');
    expect(code).toMatch(/node:worker_threads/);
    const file = path.join(dir, 'node.mjs');
    writeFileSync(file, code);
    const { result } = await import(pathToFileURL(file).href);
    expect(result.kernel).toMatch(/2 threads/);
    expect(Math.abs(result.loss - result.ref)).toBeLessThanOrEqual(1e-3 * Math.abs(result.ref));
  });
});
