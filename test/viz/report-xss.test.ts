// Script injection through the HTML report, in a real browser (Debian's Chromium via playwright-core).
// A hostile data file — handlers and scripts in the SVG, javascript: links in the DOT, HTML in every
// text field, foreignObject, <use> of a data: document — goes through the real CLI (`cellgrad report
// --data x.json --out r.html`); opening the page must open no dialog and run none of it, while the
// legitimate parts (a real graph, the charts) still render with no Content-Security-Policy violation.
// Then the policy alone: payloads pasted into a page past the sanitiser are blocked by it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { getBuiltinCell, unroll } from '@cellgrad/cells';
import { renderReport } from '@cellgrad/viz';
import { cellgrad, tempDir } from '../cli/helpers.js';
import { CHROMIUM, launch, READY } from './browser.js';

const browserMissing = !existsSync(CHROMIUM) && process.env.CI !== 'true';

/** Each payload, if it ran, sets `window.__pwned` to its name, retitles the page or opens a dialog. */
const run = (name: string) => `window.__pwned='${name}';document.title='pwned';alert('${name}')`;

const EVIL_TEXT = `</title><script>${run('text-script')}</script><img src=x onerror="${run('text-img')}">`;

const hostileData = {
  title: `report ${EVIL_TEXT}`,
  subtitle: EVIL_TEXT,
  graphs: [
    { title: "the issue's svg", svg: `<svg onload='${run('svg-onload')}'><script>${run('svg-script')}</script><g class="node"><text>x</text></g></svg>` },
    {
      title: `dot ${EVIL_TEXT}`,
      caption: EVIL_TEXT,
      dot: `digraph { a [URL="javascript:${run('dot-href').replace(/'/g, '\\"')}", label="click me"]; a -> b }`,
    },
    { title: 'img in svg', svg: `<svg><g><text>t</text></g><img src=x onerror="${run('svg-img')}"></svg><img src=x onerror="${run('after-img')}">` },
    {
      title: 'foreignObject',
      svg: `<svg><foreignObject width="300" height="80"><body xmlns="http://www.w3.org/1999/xhtml"><img src="x" onerror="${run('fo-img')}"><iframe src="javascript:${run('fo-iframe')}"></iframe></body></foreignObject></svg>`,
    },
    {
      title: 'use of data:',
      svg: `<svg><use href="data:image/svg+xml,%3Csvg id='x' xmlns='http://www.w3.org/2000/svg'%3E%3Cimage href='x' onerror='${run('use')}'/%3E%3C/svg%3E#x"/></svg>`,
    },
    {
      title: 'animate',
      svg: `<svg><a id="anim"><animate attributeName="href" values="javascript:${run('animate')}"/><text x="10" y="20">animated link</text></a></svg>`,
    },
    { title: 'gru, 3 steps', graph: unroll(getBuiltinCell('gru'), { input: 3, hidden: 4, batch: 2, steps: 3 }) },
  ],
  lossCurves: [
    {
      name: EVIL_TEXT,
      points: [
        [0, 1.2],
        [10, 0.8],
        [20, 0.5],
      ],
    },
  ],
  flow: [
    {
      name: EVIL_TEXT,
      norms: [0.01, 0.1, 1],
      byIteration: [
        [0.01, 0.1, 1],
        [0.02, 0.2, 1],
      ],
    },
  ],
  gradcheck: [{ cell: EVIL_TEXT, input: EVIL_TEXT, maxAbsError: 1e-9, passed: true, worst: EVIL_TEXT }],
  bench: [{ name: EVIL_TEXT, [EVIL_TEXT]: EVIL_TEXT }],
};

/** What a page did: dialogs, console errors, CSP violations, and the payload markers. */
interface Watch {
  readonly dialogs: string[];
  readonly errors: string[];
  violations(): Promise<{ directive: string; blocked: string; sample: string }[]>;
  pwned(): Promise<unknown>;
}

/** Open `file`, recording every dialog (dismissed), console error and securitypolicyviolation event. */
async function open(context: BrowserContext, file: string): Promise<{ page: Page; watch: Watch }> {
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(`window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample }));`);
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(READY, undefined, { timeout: 20_000 }).catch(() => undefined);
  return {
    page,
    watch: {
      dialogs,
      errors,
      violations: () => page.evaluate('window.__violations') as Promise<{ directive: string; blocked: string; sample: string }[]>,
      pwned: () => page.evaluate('window.__pwned'),
    },
  };
}

let browser: Awaited<ReturnType<typeof launch>>;

beforeAll(async () => {
  if (!browserMissing) browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe.skipIf(browserMissing)('a report written from a hostile data file', () => {
  it('runs none of the injected script and still draws its graphs and charts', async () => {
    const dir = tempDir('cellgrad-xss-');
    const data = path.join(dir, 'x.json');
    writeFileSync(data, JSON.stringify(hostileData));
    const out = path.join(dir, 'r.html');
    const r = await cellgrad(['report', '--data', data, '--out', out]);
    expect(r.stderr).toBe(`wrote ${out}\n`);
    expect(r.code).toBe(0);

    const { page, watch } = await open(browser.context, out);
    // Hover the dot graph's node, and activate every link in the graphs (a mouse click lands on the
    // pan/zoom pointer capture, so the click is dispatched on the link itself, as the Enter key would).
    await page.hover('#graph-1 g.node');
    expect(
      await page.$$eval('.graph-view a', (links) => links.map((a) => a.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }))).length),
    ).toBeGreaterThan(2);
    await page.waitForTimeout(300);

    expect(watch.dialogs).toEqual([]);
    expect(await watch.pwned()).toBeUndefined();
    expect(await page.title()).toBe(hostileData.title);
    expect(page.url()).toBe(pathToFileURL(out).href);
    expect(await watch.violations()).toEqual([]);
    expect(watch.errors).toEqual([]);
    expect(readFileSync(out, 'utf8')).toContain('http-equiv="Content-Security-Policy"');

    // The legitimate parts: every card, the real graph's nodes, the dot graph's nodes, three charts painted.
    const shown = (await page.evaluate(String.raw`(() => ({
      titles: [...document.querySelectorAll('.graph-card h3')].map((h) => h.textContent),
      gruNodes: document.querySelectorAll('#graph-6 g.node').length,
      dotNodes: document.querySelectorAll('#graph-1 g.node').length,
      links: [...document.querySelectorAll('a')].map((a) => a.getAttribute('href') || a.getAttribute('xlink:href')).filter(Boolean),
      charts: window.cellgradReport.charts,
      painted: [...document.querySelectorAll('canvas')].map((c) => {
        const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 3; i < px.length; i += 4) if (px[i] > 0) n++;
        return n;
      }),
      legend: document.querySelector('.legend').textContent.includes('forward node'),
    }))()`)) as { titles: string[]; gruNodes: number; dotNodes: number; links: string[]; charts: number; painted: number[]; legend: boolean };
    expect(shown.titles).toEqual(hostileData.graphs.map((g) => g.title));
    expect(shown.gruNodes).toBeGreaterThan(10);
    expect(shown.dotNodes).toBe(2);
    expect(shown.links.every((h) => h.startsWith('#'))).toBe(true);
    expect(shown.charts).toBe(3);
    for (const n of shown.painted) expect(n).toBeGreaterThan(500);
    expect(shown.legend).toBe(true);
    await page.close();
  });
});

describe.skipIf(browserMissing)("the report's Content-Security-Policy on its own", () => {
  it("blocks handlers, scripts and javascript: links that got past the sanitiser, and lets the page's own scripts run", async () => {
    const html = await renderReport({
      graphs: [{ title: 'a', dot: 'digraph { a -> b }' }],
      lossCurves: [
        {
          name: 'loss',
          points: [
            [0, 1],
            [1, 0.5],
          ],
        },
      ],
    });
    // Paste payloads into the page as if the sanitiser had let them through.
    const injected = html.replace(
      '<main>',
      `<main>
<img src="x" onerror="${run('img')}"><svg onload="${run('svg')}"></svg>
<script>${run('script')}</script>
<a id="js" href="javascript:${run('href')}">link</a>
<iframe srcdoc="<script>parent.__pwned='srcdoc'</script>"></iframe>`,
    );
    const file = path.join(tempDir('cellgrad-csp-'), 'r.html');
    writeFileSync(file, injected);
    const { page, watch } = await open(browser.context, file);
    await page.click('#js');
    await page.waitForTimeout(300);

    expect(watch.dialogs).toEqual([]);
    expect(await watch.pwned()).toBeUndefined();
    expect(await page.title()).toBe('cellgrad report');
    const violations = await watch.violations();
    const directives = violations.map((v) => v.directive);
    expect(directives.filter((d) => d === 'script-src-attr')).toHaveLength(2);
    expect(directives.filter((d) => d === 'script-src-elem').length).toBeGreaterThanOrEqual(2);
    expect(directives).toContain('img-src');
    for (const v of violations) expect(['inline', 'file'], JSON.stringify(v)).toContain(v.blocked);
    // Each of the page's own four scripts ran: Chart.js, the matrix plugin, the charts, pan and zoom.
    expect(
      await page.evaluate(String.raw`(() => ({
      chartJs: typeof window.Chart,
      matrix: Boolean(window.Chart.registry.controllers.get('matrix')),
      charts: window.cellgradReport && window.cellgradReport.charts,
      panZoom: document.querySelector('#graph-0 svg').getAttribute('preserveAspectRatio'),
      nodes: document.querySelectorAll('#graph-0 g.node').length,
    }))()`),
    ).toEqual({ chartJs: 'function', matrix: true, charts: 1, panZoom: 'xMidYMid meet', nodes: 2 });
    await page.close();
  });
});
