/**
 * The parts of @cellgrad/viz that run in a browser (no jsdom, no file system): folded text, DOT,
 * SVG through Graphviz in WebAssembly, and the gradcheck table's rows. The playground's browser
 * bundle uses this file in place of the package's main entry (`index.ts`), whose report writer
 * needs Node.
 */
export { printFolded, type PrintOptions } from './text/print-folded.js';
export { resolveDotOptions, type DotOptions, type ResolvedDotOptions } from './dot/options.js';
export { toDot } from './dot/to-dot.js';
export { dotToSvg, toSvg } from './svg/render.js';
export type { GradcheckReportLike, GradcheckRow } from './report/types.js';
export { gradcheckRows } from './report/tables.js';
