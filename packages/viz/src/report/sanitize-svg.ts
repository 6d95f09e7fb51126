/**
 * Sanitising the SVG that goes into a report. Report data may come from a file someone else wrote, so
 * every drawing (a given `svg`, Graphviz's rendering of a given `dot`, even our own rendering of a
 * `graph`) passes through DOMPurify's SVG allow-list before it is inlined: no script, no
 * foreignObject, no event handler, no `javascript:`/`data:` link, no external `url(...)` reference,
 * no `<style>` element, no `data-*` attribute. What Graphviz draws (g, path, polygon, ellipse, text,
 * title, a with a safe link and its tooltip, defs and gradients) is kept.
 *
 * DOMPurify needs a DOM: jsdom, the one DOMPurify is tested against on Node, parses the markup the
 * way a browser parses inline SVG in an HTML page. Both are loaded on first use only.
 */
import type { Config, DOMPurify, UponSanitizeAttributeHook } from 'dompurify';
import { fail } from '@cellgrad/graph';

/** Elements dropped even where DOMPurify's SVG profile would keep them. */
const FORBID_TAGS = ['style', 'foreignObject', 'use', 'image', 'feImage', 'animate', 'set', 'script', 'iframe', 'embed', 'object'];

const CONFIG: Config = {
  USE_PROFILES: { svg: true, svgFilters: true },
  FORBID_TAGS,
  ALLOW_DATA_ATTR: false,
  // Graphviz's tooltips and links live on <a xlink:title xlink:href target>.
  ADD_ATTR: ['xlink:title', 'target'],
};

/** A link target that is a fragment, a relative path or http(s); never `javascript:`, `data:`, `file:` ... */
export function isSafeUrl(value: string): boolean {
  // Browsers ignore ASCII whitespace and control characters around and inside a scheme.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point.
  const compact = value.replace(/[\u0000-\u0020\u007f-\u009f]/g, '');
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(compact);
  return scheme === null || /^https?$/i.test(scheme[1]!);
}

/** A CSS or presentation value whose every `url(...)` points inside the page (`url(#id)`), with no CSS escapes. */
export function isSafeCss(value: string): boolean {
  if (/\\|expression\s*\(|@import|image-set\s*\(|-moz-binding|behaviou?r\s*:/i.test(value)) return false;
  const urls = value.match(/url\s*\(([^)]*)\)?/gi) ?? [];
  return urls.every((u) => /^url\s*\(\s*['"]?#[\w.:-]+['"]?\s*\)$/i.test(u));
}

/** Attributes whose value is CSS: checked with `isSafeCss` (any other attribute only when it holds `url(`). */
const CSS_ATTRIBUTES = new Set(['style', 'fill', 'stroke', 'filter', 'mask', 'clip-path', 'marker-start', 'marker-mid', 'marker-end', 'cursor', 'font-family']);

const checkAttribute: UponSanitizeAttributeHook = (_node, data) => {
  const name = data.attrName.toLowerCase();
  if (name === 'href' || name === 'xlink:href') {
    if (!isSafeUrl(data.attrValue)) data.keepAttr = false;
  } else if ((CSS_ATTRIBUTES.has(name) || /url\s*\(/i.test(data.attrValue)) && !isSafeCss(data.attrValue)) {
    data.keepAttr = false;
  }
};

let purifier: Promise<DOMPurify> | undefined;

/** One DOMPurify instance on one jsdom window, created on first use. */
function getPurifier(): Promise<DOMPurify> {
  purifier ??= (async () => {
    const [{ JSDOM }, { default: createDOMPurify }] = await Promise.all([import('jsdom'), import('dompurify')]);
    const purify = createDOMPurify(new JSDOM('').window as unknown as Parameters<typeof createDOMPurify>[0]);
    purify.addHook('uponSanitizeAttribute', checkAttribute);
    return purify;
  })();
  return purifier;
}

/**
 * The first `<svg>` element of `markup`, cleaned: only DOMPurify's SVG allow-list survives, with the
 * extra rules above; anything around the `<svg>` element is dropped. Throws when no `<svg>` is left.
 * @example
 * await sanitizeSvg('<svg onload="alert(1)"><script>alert(1)</script><g><text>a</text></g></svg>');
 * // '<svg><g><text>a</text></g></svg>'
 */
export async function sanitizeSvg(markup: string): Promise<string> {
  const purify = await getPurifier();
  const body = purify.sanitize(markup, { ...CONFIG, RETURN_DOM: true });
  const svg = body.querySelector('svg');
  if (svg === null) fail('usage', 'holds no <svg> element (after removing what is not allowed in a report)');
  return svg.outerHTML;
}
