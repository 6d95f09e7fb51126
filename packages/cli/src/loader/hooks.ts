/**
 * Node module-resolution hooks (installed with `module.register`, run on Node's loader thread) that
 * let a cell file anywhere on disk import cellgrad without a node_modules of its own:
 * - the specifiers `cellgrad` and `@cellgrad/<pkg>` resolve to this installation's entry URLs
 *   (the very modules the CLI loaded, so the user's cell shares the CLI's op registry and classes);
 * - the cell file and the files it imports relatively are loaded as ES modules even where no
 *   package.json says `"type": "module"` (else tsx would compile them to CommonJS, whose `require`
 *   bypasses these hooks).
 */

/** What `register` passes to `initialize`. */
export interface HookData {
  /** Specifier → URL of this installation's packages. */
  readonly packages: Readonly<Record<string, string>>;
  /** URLs of the user files to load as ES modules (their relative imports follow). */
  readonly entries: readonly string[];
}

interface ResolveContext {
  readonly parentURL?: string;
  readonly conditions?: readonly string[];
}

interface ResolveResult {
  readonly url: string;
  readonly format?: string | null;
  readonly shortCircuit?: boolean;
}

type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>;

let packages: Readonly<Record<string, string>> = {};
const esmFiles = new Set<string>();

/** A URL without query or hash, for identity checks. */
const bare = (url: string): string => url.replace(/[?#].*$/, '');

/**
 * The URL without the query artefacts tsx adds to a file it would load as CommonJS
 * (`%3Ftsx-commonjs-…` in the path, `tsx-commonjs-…` parameters in the query).
 */
function withoutCommonJsArtefacts(url: string): string {
  const u = new URL(url);
  u.pathname = u.pathname.replace(/%3Ftsx-.*$/i, '');
  for (const key of [...u.searchParams.keys()]) if (key.startsWith('tsx-commonjs')) u.searchParams.delete(key);
  return u.href;
}

const SCRIPT = /\.(?:[mc]?ts|tsx|[m]?js|jsx)$/;
const RELATIVE = /^(?:\.{1,2}\/|\/|file:)/;

/** Loader-thread setup: receives the package map and the entry files. */
export function initialize(data: HookData): void {
  packages = data.packages;
  for (const url of data.entries) esmFiles.add(bare(url));
}

/** Map cellgrad's specifiers; keep the user's files (and their relative imports) ES modules. */
export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  const mapped = packages[specifier];
  if (mapped !== undefined) return { url: mapped, format: 'module', shortCircuit: true };
  const result = await nextResolve(specifier, context);
  const path = bare(withoutCommonJsArtefacts(result.url));
  const fromUserFile = context.parentURL !== undefined && esmFiles.has(bare(context.parentURL)) && RELATIVE.test(specifier);
  if (!result.url.startsWith('file:') || !SCRIPT.test(path) || /\.c[jt]s$/.test(path) || !(esmFiles.has(path) || fromUserFile)) return result;
  esmFiles.add(path);
  return { ...result, url: withoutCommonJsArtefacts(result.url), format: 'module' };
}
