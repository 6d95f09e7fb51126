/**
 * Headless Chromium for the report tests: Debian's `chromium` (never a downloaded browser) driven by
 * playwright-core, in a fresh profile, and one function that opens a report and measures what a person
 * would see: each section, its SVG nodes, its charts' painted pixels, console errors, network requests.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

/** Where Debian installs Chromium (`apt-get install -y chromium`; `.ci/run` does it when missing). */
export const CHROMIUM = '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launch Chromium in a fresh profile; fails loudly when it is not installed. */
export async function launch(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run 'apt-get update && apt-get install -y chromium' (.ci/run does this)`);
  }
  const profile = mkdtempSync(path.join(os.tmpdir(), 'cellgrad-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1400, height: 1000 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** In-page test that the report's charts script has finished. */
export const READY = 'window.cellgradReport !== undefined';

/** In-page measurement (browser code, kept as text so that this file needs no DOM types). */
const MEASURE = String.raw`(() => {
  const ids = (sel, attr) => [...document.querySelectorAll(sel)].map(attr);
  const graphs = [...document.querySelectorAll('.graph-card')].map((card) => {
    const svg = card.querySelector('svg');
    const box = svg.getBoundingClientRect();
    return { title: card.querySelector('h3').textContent, nodes: svg.querySelectorAll('g.node').length, width: box.width, height: box.height };
  });
  const charts = [...document.querySelectorAll('canvas')].map((c) => {
    const pixels = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
    const chart = window.Chart.getChart(c);
    const labels = (axis) => chart.scales[axis].ticks.map((t) => String(t.label));
    return { name: c.id || c.className, width: c.clientWidth, height: c.clientHeight, painted, type: chart.config.type, x: labels('x'), y: labels('y') };
  });
  const tableRows = {};
  for (const t of document.querySelectorAll('table.data')) tableRows[t.classList[1]] = t.querySelectorAll('tbody tr').length;
  return {
    sections: ids('main > section', (e) => e.id),
    nav: ids('nav a', (e) => e.getAttribute('href').slice(1)),
    graphs, charts, tableRows,
    drawn: window.cellgradReport.charts,
  };
})()`;

/** What the page showed. */
export interface ReportView {
  /** Ids of the sections in the page, in order. */
  readonly sections: string[];
  /** Ids of the sections the navigation bar links to. */
  readonly nav: string[];
  /** For each graph card: its title, the number of SVG nodes drawn, and the SVG's size on screen. */
  readonly graphs: { title: string; nodes: number; width: number; height: number }[];
  /**
   * For each chart canvas: its id or class, size, the number of painted (non-transparent) pixels, and
   * the Chart.js chart on it (its type and the tick labels of its axes).
   */
  readonly charts: { name: string; width: number; height: number; painted: number; type: string; x: string[]; y: string[] }[];
  /** Number of charts the page's script reports having drawn. */
  readonly drawn: number;
  /** Rows of each table, by its class. */
  readonly tableRows: Record<string, number>;
  /** Console errors and uncaught exceptions. */
  readonly errors: string[];
  /** Requests for anything but the file itself and data: URLs. */
  readonly external: string[];
}

/** Open `file` in a new page, wait for the charts, measure everything, and save a full-page screenshot. */
export async function inspectReport(context: BrowserContext, file: string, screenshot: string): Promise<ReportView> {
  const page = await context.newPage();
  const errors: string[] = [];
  const external: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => {
    if (!/^(file|data):/.test(r.url())) external.push(r.url());
  });
  await page.goto(pathToFileURL(file).href);
  try {
    await page.waitForFunction(READY, undefined, { timeout: 20_000 });
  } catch (e) {
    throw new Error(`the report never finished drawing its charts (${(e as Error).message}); page errors: ${errors.join(' | ') || 'none'}`);
  }
  const measured = (await page.evaluate(MEASURE)) as Omit<ReportView, 'errors' | 'external'>;
  mkdirSync(path.dirname(screenshot), { recursive: true });
  await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { ...measured, errors, external };
}
