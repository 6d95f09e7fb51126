/** The version of the cellgrad package (its package.json is one level up from src/ and dist/). */
import { createRequire } from 'node:module';

/** The program's version: the cellgrad package's. */
export const VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
