/**
 * The module URLs of this cellgrad installation: what `cellgrad` and `@cellgrad/<pkg>` resolve to
 * from the CLI's own location, under the running process's conditions (so `src/*.ts` when run with
 * `--conditions=@cellgrad/source`, `dist/*.js` otherwise). These are exactly the modules the CLI itself loaded.
 */

/** The package specifiers a user's cell file may import, and that the loader maps to this installation. */
export const PACKAGE_SPECIFIERS = [
  'cellgrad',
  'cellgrad/onnx',
  '@cellgrad/graph',
  '@cellgrad/graph/io',
  '@cellgrad/autodiff',
  '@cellgrad/cells',
  '@cellgrad/cells/node',
  '@cellgrad/viz',
  '@cellgrad/onnx',
] as const;

/**
 * Specifier → URL for every cellgrad package, resolved as the CLI's own imports are. `cellgrad`
 * resolves through the package's self-reference (its `exports` field).
 */
export function selfPackageUrls(): Record<string, string> {
  return Object.fromEntries(PACKAGE_SPECIFIERS.map((s) => [s, import.meta.resolve(s)]));
}
