// The playground in a real browser (headless Debian Chromium via playwright-core): started with
// `cellgrad playground --port 0`, the page runs its default cell, then a new cell typed into the
// CodeMirror editor (an Elman tanh variant with a learned recurrence scale): its graph is drawn and
// zooms, its gradcheck passes, the loss on the adding problem falls, the gradient flow is drawn, and
// the page is cross-origin isolated with matmul threads. A cell with a shape error and one with a
// syntax error show their error at the right line, in the editor. No console errors throughout.
// The screenshot goes to test-output/playground/ (CELLGRAD_UPDATE_SCREENSHOT=1 also writes
// docs/images/playground.png, the README's picture).
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../cli/helpers.js';
import { CHROMIUM, launch } from '../viz/browser.js';
import { startPlayground, type RunningPlayground } from './playground-server.js';

const browserMissing = !existsSync(CHROMIUM) && process.env.CI !== 'true';
if (browserMissing) console.warn(`playground browser tests skipped: no ${CHROMIUM} (apt-get install -y chromium to run them; CI always runs them)`);

const ELMAN = `import { defineCell, linear } from 'cellgrad';

// A leaky Elman tanh RNN: each unit keeps a learned share a = sigmoid(s) of its old value.
export const leakyElman = defineCell({
  name: 'leaky_elman',
  params: ({ input: I, hidden: H }) => ({ W: [H, I], U: [H, H], b: [H], s: [H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { W, U, b, s }) => {
    const a = s.add(2).sigmoid();
    return { h: a.mul(h).add(a.oneMinus().mul(linear(x, W, b).add(linear(h, U)).tanh())) };
  },
});
`;

/** docs/playground.md shows the cell above and the error line the broken one gives (checked below). */
const DOC = readFileSync(path.join(repoRoot, 'docs/playground.md'), 'utf8');

/** The same cell with the recurrent matrix applied to x (line 10): a shape error while tracing. */
const SHAPE_ERROR = ELMAN.replace('linear(h, U)', 'linear(x, U)');
/** A syntax error on line 6. */
const SYNTAX_ERROR = ELMAN.replace('({ W: [H, I],', '({ W: [H, I] +,');

let browser: Awaited<ReturnType<typeof launch>>;
let context: BrowserContext;
let server: RunningPlayground;
let page: Page;
const errors: string[] = [];

interface View {
  state: string;
  runs: number;
  cell?: string;
  threads?: string;
  crossOriginIsolated: boolean;
  nodes: number;
  gradcheck?: { passed: boolean; rows: { input: string; passed: boolean }[] };
  losses: number[];
  diagnostics: { line: number; message: string }[];
  flow?: { stateGradNorms: number[] };
}

// Predicates are functions, not strings: the page's Content-Security-Policy forbids eval.
const view = (): Promise<View> => page.evaluate(() => JSON.parse(JSON.stringify((globalThis as any).cellgradPlayground)) as View);

/** Wait until run `n` has ended (done or error). */
async function waitForRun(n: number): Promise<void> {
  await page.waitForFunction(
    (k) => {
      const ui = (globalThis as any).cellgradPlayground;
      return ui?.runs === k && (ui.state === 'done' || ui.state === 'error');
    },
    n,
    { timeout: 120_000 },
  );
}

/** Replace the editor's text as a person would (select all, type), then press Run; wait for that run to end. */
async function runCell(code: string): Promise<View> {
  const n = (await view()).runs + 1;
  await page.click('.cm-content');
  await page.keyboard.press('Control+A');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
  await page.click('#run');
  await waitForRun(n);
  return view();
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

beforeAll(async () => {
  if (browserMissing) return;
  server = await startPlayground();
  browser = await launch();
  context = browser.context;
  page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(server.url);
  await waitForRun(1);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe.skipIf(browserMissing)('the playground in Chromium', () => {
  it('runs the default cell on load, cross-origin isolated, with matmul threads', async () => {
    expect(server.banner).toMatch(/bundled with esbuild in [\d.]+ s/);
    const v = await view();
    expect(v.crossOriginIsolated).toBe(true);
    expect(v.threads).toMatch(/^2 threads/);
    expect(v.cell).toBe('mgu');
    expect(v.gradcheck?.passed).toBe(true);
  });

  it('a new cell typed into the editor: graph, gradcheck, falling loss, gradient flow', async () => {
    expect(DOC).toContain(`\`\`\`ts\n${ELMAN}\`\`\``);
    await page.fill('#iterations', '1500');
    const v = await runCell(ELMAN);
    expect(v.state).toBe('done');
    expect(v.diagnostics).toEqual([]);
    expect(v.cell).toBe('leaky_elman');
    expect(v.gradcheck?.passed).toBe(true);
    expect(v.gradcheck?.rows.map((r) => r.input).sort()).toEqual(['U', 'W', 'b', 'h0', 's', 'x']);
    expect(await page.locator('#gradcheck-view td.pass').count()).toBe(6);
    // The loss on the adding problem falls well below where it starts and below predicting 1 (MSE 1/6).
    expect(v.losses).toHaveLength(1500);
    expect(mean(v.losses.slice(-20))).toBeLessThan(mean(v.losses.slice(0, 20)) / 2);
    expect(mean(v.losses.slice(-20))).toBeLessThan(0.05);
    expect(await page.locator('#progress').evaluate((p: any) => [p.value, p.max])).toEqual([1500, 1500]);
    expect(v.flow?.stateGradNorms).toHaveLength(20);
    // The graph: nodes drawn; the wheel zooms (the viewBox narrows).
    const svg = page.locator('#graph-view svg');
    expect(await svg.locator('g.node').count()).toBeGreaterThan(10);
    const before = await svg.getAttribute('viewBox');
    await svg.hover();
    await page.mouse.wheel(0, -400);
    const after = await svg.getAttribute('viewBox');
    expect(Number(after!.split(' ')[2])).toBeLessThan(Number(before!.split(' ')[2]));
    await page.click('#zoom-fit');
    const box = async () => (await svg.getAttribute('viewBox'))!.split(' ').map(Number);
    expect(await box()).toEqual(before!.split(' ').map(Number));
    const shots = path.join(repoRoot, 'test-output', 'playground');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'playground.png'), fullPage: true });
    if (process.env.CELLGRAD_UPDATE_SCREENSHOT === '1') copyFileSync(path.join(shots, 'playground.png'), path.join(repoRoot, 'docs/images/playground.png'));
    expect(errors).toEqual([]);
  });

  it('a shape error shows at its line in the editor', async () => {
    const v = await runCell(SHAPE_ERROR);
    expect(v.state).toBe('error');
    expect(v.diagnostics).toHaveLength(1);
    expect(v.diagnostics[0]!.line).toBe(10);
    expect(v.diagnostics[0]!.message).toMatch(/shape error: .*matmul/);
    // CodeMirror marks line 10 and puts a marker in the gutter.
    const lines = page.locator('.cm-content .cm-line');
    expect(await lines.nth(9).locator('.cm-lintRange-error').count()).toBe(1);
    expect(await page.locator('.cm-lint-marker-error').count()).toBe(1);
    const shown = await page.locator('#problems li').first().textContent();
    expect(shown).toMatch(/^line 10: shape error: .*matmul: inner dimensions differ: \[2,3\] @ \[4,4\]/);
    expect(DOC).toContain(`\n${shown}\n`);
    expect(errors).toEqual([]);
  });

  it('a misspelt Tensor method shows at its line with the nearest name', async () => {
    const v = await runCell(ELMAN.replace('s.add(2).sigmoid()', 's.add(2).sigmod()'));
    expect(v.state).toBe('error');
    expect(v.diagnostics.map((d) => d.line)).toEqual([9]);
    expect(v.diagnostics[0]!.message).toMatch(/'sigmod' is not a Tensor method; did you mean 'sigmoid'/);
    expect(await page.locator('.cm-content .cm-line').nth(8).locator('.cm-lintRange-error').count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('a syntax error shows at its line; fixing it clears the marks', async () => {
    const v = await runCell(SYNTAX_ERROR);
    expect(v.state).toBe('error');
    expect(v.diagnostics.map((d) => d.line)).toEqual([6]);
    expect(v.diagnostics[0]!.message).toMatch(/^syntax error/);
    expect(await page.locator('.cm-content .cm-line').nth(5).locator('.cm-lintRange-error').count()).toBe(1);
    const fixed = await runCell(ELMAN);
    expect(fixed.state).toBe('done');
    expect(await page.locator('.cm-lintRange-error').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('served without COOP/COEP (a plain static host), the page runs on one thread', async () => {
    const files = new Map<string, Buffer>();
    for (const f of ['index.html', 'page.js', 'worker.js', 'playground.css']) files.set(f, Buffer.from(await (await fetch(server.url + f)).arrayBuffer()));
    const types: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css' };
    const plain = createServer((req, res) => {
      const name = req.url === '/' ? 'index.html' : req.url!.slice(1);
      const body = files.get(name);
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'Content-Type': types[name.split('.').pop()!]! }).end(body);
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const other = await context.newPage();
    const otherErrors: string[] = [];
    other.on('console', (m) => {
      if (m.type() === 'error') otherErrors.push(m.text());
    });
    other.on('pageerror', (e) => otherErrors.push(String(e)));
    await other.goto(`http://127.0.0.1:${(plain.address() as AddressInfo).port}/`);
    await other.waitForFunction(() => {
      const ui = (globalThis as any).cellgradPlayground;
      return ui?.runs === 1 && (ui.state === 'done' || ui.state === 'error');
    });
    const v = (await other.evaluate(() => JSON.parse(JSON.stringify((globalThis as any).cellgradPlayground)))) as View;
    await other.close();
    plain.close();
    expect(v.crossOriginIsolated).toBe(false);
    expect(v.threads).toBe('1 thread');
    expect(v.state).toBe('done');
    expect(v.gradcheck?.passed).toBe(true);
    expect(mean(v.losses.slice(-20))).toBeLessThan(mean(v.losses.slice(0, 20)) / 2);
    expect(otherErrors).toEqual([]);
  });
});
