// The report's SVG allow-list (`sanitizeSvg`): each class of script-injection payload is stripped —
// checked by parsing the output as a browser parses inline SVG (jsdom) and looking for anything that
// could run — and what Graphviz draws comes through element for element, attribute for attribute.
import { JSDOM } from 'jsdom';
import { describe, expect, it } from 'vitest';
import { getBuiltinCell, unroll } from '@cellgrad/cells';
import { dotToSvg, renderReport, sanitizeSvg, toSvg } from '@cellgrad/viz';
import { contentSecurityPolicy, scriptHash } from '../../packages/viz/src/report/csp.js';

/** Parse `markup` as the body of an HTML page (how the report's inline SVG is parsed). */
function parse(markup: string): Element {
  return new JSDOM(`<!doctype html><body>${markup}</body>`).window.document.body;
}

/**
 * Everything in `markup` that could run script or load something, and (unless `pageControls`) any
 * `data-*` attribute (the page's own controls use them): one line per finding.
 */
function dangers(markup: string, pageControls = false): string[] {
  const found: string[] = [];
  for (const el of parse(markup).querySelectorAll('*')) {
    const tag = el.localName;
    if (['script', 'foreignobject', 'iframe', 'embed', 'object', 'style', 'use', 'image', 'animate', 'set', 'img'].includes(tag.toLowerCase()))
      found.push(`<${tag}>`);
    for (const a of el.attributes) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
      const v = a.value.replace(/[\u0000-\u0020]/g, '').toLowerCase();
      if (/^on/i.test(a.name)) found.push(`${tag} ${a.name}`);
      if (/href$/i.test(a.name) && /^(javascript|data|vbscript|file):/.test(v)) found.push(`${tag} ${a.name}=${a.value}`);
      if (/url\((?!['"]?#)/.test(v)) found.push(`${tag} ${a.name}=${a.value}`);
      if (/^data-/.test(a.name) && !pageControls) found.push(`${tag} ${a.name}`);
    }
  }
  return found;
}

/** Every element of `markup` as `tag attr=value ... | own text`, in document order (comments ignored). */
function structure(markup: string): string[] {
  return [...parse(markup).querySelectorAll('*')].map((el) => {
    const attrs = [...el.attributes]
      .map((a) => `${a.name}=${a.value}`)
      .sort()
      .join(' ');
    const text = [...el.childNodes]
      .filter((n) => n.nodeType === 3)
      .map((n) => n.textContent!.trim())
      .join('');
    return `${el.localName} ${attrs} | ${text}`;
  });
}

const PAYLOADS: Record<string, string> = {
  'script element': '<svg><script>window.__pwned=1</script><g><text>x</text></g></svg>',
  'script with xlink:href': '<svg><script xlink:href="data:text/javascript,alert(1)"></script></svg>',
  'onload on the root': "<svg onload='alert(1)'><g></g></svg>",
  'handlers on shapes': '<svg><g onclick="alert(1)"><path d="M0 0" onmouseover="alert(1)" onfocusin="alert(1)"/></g></svg>',
  'foreignObject with HTML':
    '<svg><foreignObject width="100" height="100"><body><img src="x" onerror="alert(1)"><iframe src="javascript:alert(1)"></iframe></body></foreignObject></svg>',
  'javascript: link': '<svg><a href="javascript:alert(1)"><text>x</text></a></svg>',
  'javascript: xlink:href, obfuscated':
    '<svg><a xlink:href=" jav&#x09;ascript:alert(1)"><text>x</text></a><a href="JaVaScRiPt:alert(1)"><text>y</text></a></svg>',
  'data: link': '<svg><a href="data:text/html,<script>alert(1)</script>"><text>x</text></a></svg>',
  'use of a data: document':
    "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='alert(1)'/></svg>#x\"/></svg>",
  'image with onerror': '<svg><image href="x" onerror="alert(1)"/></svg>',
  'animate/set turning a link into javascript:':
    '<svg><a><animate attributeName="href" values="javascript:alert(1)"/><set attributeName="href" to="javascript:alert(1)"/><text>x</text></a></svg>',
  'style element': '<svg><style>@import "https://evil.example/x.css"; g { background: url(https://evil.example/) }</style><g></g></svg>',
  'style attribute with url()': '<svg><g style="fill: url(https://evil.example/a.svg#p)"></g><g style="background:u\\72l(https://evil.example/)"></g></svg>',
  'presentation attribute with an external url()': '<svg><path fill="url(https://evil.example/p.svg#g)" filter="url(data:image/svg+xml,x)" d="M0 0"/></svg>',
  'breaking out of the svg into HTML': '<svg><p><img src="x" onerror="alert(1)"></p></svg><img src="x" onerror="alert(1)">',
  'mXSS through style/title nesting': '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>"></svg>',
  "data attributes (the page's own controls)": '<svg><g data-zoom="in" data-steps="toggle"></g></svg>',
  'embedded iframe and object': '<svg><iframe src="javascript:alert(1)"></iframe><object data="javascript:alert(1)"></object><embed src="x.swf"></svg>',
};

describe('sanitizeSvg', () => {
  for (const [name, payload] of Object.entries(PAYLOADS)) {
    it(`strips ${name}`, async () => {
      expect(dangers(payload).length, 'the payload itself is dangerous').toBeGreaterThan(0);
      const clean = await sanitizeSvg(payload);
      expect(clean.startsWith('<svg')).toBe(true);
      expect(dangers(clean)).toEqual([]);
    });
  }

  it('keeps safe links, tooltips and local url(#id) references', async () => {
    const clean = await sanitizeSvg(
      '<svg><defs><linearGradient id="g"><stop offset="0" style="stop-color:red"/></linearGradient></defs>' +
        '<a xlink:href="https://example.org/a" xlink:title="tip" target="_blank"><path fill="url(#g)" d="M0 0"/></a><a href="#node1"><text>n</text></a></svg>',
    );
    const el = parse(clean);
    const a = el.querySelectorAll('a');
    expect(a[0]!.getAttribute('xlink:href')).toBe('https://example.org/a');
    expect(a[0]!.getAttribute('xlink:title')).toBe('tip');
    expect(a[0]!.getAttribute('target')).toBe('_blank');
    expect(a[1]!.getAttribute('href')).toBe('#node1');
    expect(el.querySelector('path')!.getAttribute('fill')).toBe('url(#g)');
    expect(el.querySelector('stop')!.getAttribute('style')).toBe('stop-color:red');
  });

  it('keeps only the first <svg> element and rejects markup with none', async () => {
    expect(await sanitizeSvg('<?xml version="1.0"?><!DOCTYPE svg><svg><g></g></svg><p>after</p>')).toBe('<svg><g></g></svg>');
    await expect(sanitizeSvg('<p>no drawing</p>')).rejects.toThrow(/holds no <svg> element/);
  });

  it('keeps every element and attribute of what Graphviz draws for a cellgrad graph', async () => {
    const gru = unroll(getBuiltinCell('gru'), { input: 3, hidden: 4, batch: 2, steps: 3 });
    const svg = await toSvg(gru, { title: 'gru, 3 steps' });
    const clean = await sanitizeSvg(svg);
    const before = structure(svg.slice(svg.indexOf('<svg')));
    expect(before.length).toBeGreaterThan(200);
    expect(structure(clean)).toEqual(before);
    expect(dangers(clean)).toEqual([]);
  });

  it('keeps links, tooltips, gradients, HTML-like labels and clusters of hand-written DOT', async () => {
    const svg = await dotToSvg(`digraph { subgraph cluster_a { label="step 0"; style="rounded,dashed"; a }
      a [URL="https://example.org/x", tooltip="tip", style=filled, fillcolor="red:blue", shape=box];
      b [label=<<b>bold</b> and <i>italic</i>>, target="_blank", URL="docs/b.html"];
      a -> b [style=dotted, arrowhead=vee, label="e"] }`);
    const clean = await sanitizeSvg(svg);
    expect(structure(clean)).toEqual(structure(svg.slice(svg.indexOf('<svg'))));
    expect(clean).toContain('xlink:href="https://example.org/x"');
    expect(clean).toContain('xlink:href="docs/b.html"');
    expect(clean).toContain('fill="url(#');
  });

  it('drops a javascript: URL that DOT hands to Graphviz, and keeps the rest of the node', async () => {
    const clean = await sanitizeSvg(await dotToSvg('digraph { a [URL="javascript:window.__pwned=1", tooltip="t"] }'));
    expect(clean).not.toMatch(/javascript/i);
    expect(parse(clean).querySelector('g.node text')!.textContent).toBe('a');
    expect(parse(clean).querySelector('a')!.getAttribute('xlink:title')).toBe('t');
  });
});

describe('the report page', () => {
  it('escapes every text field of the data', async () => {
    const evil = '</title><script>window.__pwned=1</script><img src=x onerror=alert(1)>';
    const html = await renderReport({
      title: evil,
      subtitle: evil,
      graphs: [{ title: evil, caption: evil, dot: 'digraph { a }' }],
      lossCurves: [{ name: evil, points: [[0, 1]] }],
      flow: [{ name: evil, norms: [1, 0.5], byIteration: [[1, 0.5]] }],
      gradcheck: [
        { cell: evil, input: evil, maxAbsError: 0, passed: true, worst: evil, shape: [2] },
        { cell: evil, report: { orders: [{ order: 1, inputs: [{ name: evil, maxAbsError: 0, passed: true }] }] } },
      ],
      bench: [{ name: evil, [evil]: evil }],
    });
    const body = parse(html.slice(html.indexOf('<body>') + 6, html.indexOf('<script type="application/json"')));
    expect(body.querySelectorAll('script, img').length).toBe(0);
    expect(dangers(body.innerHTML, true)).toEqual([]);
    expect(body.textContent!.split(evil).length - 1).toBeGreaterThanOrEqual(10);
    const page = new JSDOM(html).window.document;
    expect(page.title).toBe(evil);
    expect(page.querySelectorAll('script:not([type])').length).toBe(4);
    expect(JSON.parse(page.getElementById('report-data')!.textContent!).lossCurves[0].name).toBe(evil);
  });

  it('carries a Content-Security-Policy allowing exactly its own scripts, by hash', async () => {
    const html = await renderReport({ lossCurves: [{ name: 'a', points: [[0, 1]] }] });
    const page = new JSDOM(html).window.document;
    const meta = page.querySelector('meta[http-equiv="Content-Security-Policy"]')!;
    expect(page.head.firstElementChild!.nextElementSibling).toBe(meta);
    const policy = meta.getAttribute('content')!;
    const scripts = [...page.querySelectorAll('script:not([type])')].map((s) => s.textContent!);
    expect(policy).toBe(contentSecurityPolicy(scripts));
    const scriptSrc = policy
      .split('; ')
      .find((d) => d.startsWith('script-src '))!
      .split(' ')
      .slice(1);
    expect(scriptSrc.sort()).toEqual(scripts.map(scriptHash).sort());
    expect(policy).not.toMatch(/script-src[^;]*unsafe/);
    for (const d of ["default-src 'none'", "object-src 'none'", "base-uri 'none'"]) expect(policy).toContain(d);
  });
});
