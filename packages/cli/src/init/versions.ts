/**
 * The versions a project made by `cellgrad init` depends on: cellgrad at this package's version, and
 * vitest, TypeScript and fast-check at the ranges cellgrad's own repository tests with (a test keeps
 * them equal to the repository's package.json).
 */
import { VERSION } from '../version.js';

/** Development dependencies of a scaffolded project, as cellgrad's own workspace pins them. */
export const SCAFFOLD_DEV_DEPENDENCIES: Readonly<Record<string, string>> = {
  'fast-check': '^4.11.0',
  typescript: '~5.9.3',
  vitest: '~4.1.12',
};

/** The range a scaffolded project asks for cellgrad with: this version and its compatible updates. */
export const cellgradRange = (): string => `^${VERSION}`;
