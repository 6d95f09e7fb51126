/**
 * `loadReference` (Node only): reads a reference-vector file by path or file URL, or takes its
 * parsed JSON, and validates it with `parseReference`.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CellgradError } from '@cellgrad/graph';
import { parseReference } from './parse.js';
import type { ReferenceFile } from './types.js';

/**
 * Load and validate a reference file: a path (string or file URL) is read from disk; anything
 * else is taken as the file's parsed JSON (`source` names it in errors).
 * @example
 * const ref = loadReference('../shared/reference/lstm.json');
 * const report = checkReference(ref.cases[0]);
 */
export function loadReference(input: string | URL | object, options: { readonly source?: string } = {}): ReferenceFile {
  if (typeof input !== 'string' && !(input instanceof URL)) return parseReference(input, options);
  const path = input instanceof URL ? fileURLToPath(input) : input;
  const source = options.source ?? path;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CellgradError('usage', `reference file '${source}': cannot read it (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CellgradError('usage', `reference file '${source}': not valid JSON (${(e as Error).message})`);
  }
  return parseReference(json, { source });
}
