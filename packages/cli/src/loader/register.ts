/**
 * Installs the loader a cell file needs: tsx's TypeScript hooks (unless the CLI already runs under
 * a TypeScript loader) and cellgrad's own resolve hooks (`hooks.ts`), registered last so they run
 * first and can map `cellgrad` / `@cellgrad/*` before anything else resolves them.
 */
import { register } from 'node:module';
import type { HookData } from './hooks.js';
import { selfPackageUrls } from './self-urls.js';

/** True when this module itself was loaded from TypeScript source, i.e. a TS loader is active. */
const runningFromSource = (): boolean => /\.[mc]?ts$/.test(new URL(import.meta.url).pathname);

let tsxInstalled = false;

/**
 * Make `import(url)` of each entry file work: TypeScript compiled on the fly, cellgrad's packages
 * mapped to this installation, the files loaded as ES modules.
 */
export async function installCellLoader(entries: readonly string[]): Promise<void> {
  if (!tsxInstalled && !runningFromSource()) {
    const tsx = await import('tsx/esm/api');
    tsx.register();
  }
  tsxInstalled = true;
  const hooksUrl = new URL(`./hooks${runningFromSource() ? '.ts' : '.js'}`, import.meta.url);
  const data: HookData = { packages: selfPackageUrls(), entries: [...entries] };
  register(hooksUrl, { data });
}
