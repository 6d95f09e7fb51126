/** `checkReferenceFile` (Node only): load a reference file and check each of its cases. */
import { checkReference, type CheckReferenceOptions } from './check.js';
import { loadReference } from './load.js';
import type { ReferenceReport } from './types.js';

/**
 * Load a reference file (a path, a file URL or its parsed JSON) and check each of its cases.
 * @example
 * checkReferenceFile('../shared/reference/gru_2layer.json').every((r) => r.passed)
 */
export function checkReferenceFile(input: string | URL | object, options: CheckReferenceOptions = {}): ReferenceReport[] {
  return loadReference(input).cases.map((c) => checkReference(c, options));
}
