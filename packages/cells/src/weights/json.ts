/**
 * Weight files on disk (Node only): plain JSON `{ name: { shape, data } }` (row-major data), the form
 * of the shared reference files' `params`. Reading checks every tensor (`parseWeights`) and names the one at fault.
 */
import { readFileSync } from 'node:fs';
import { CellgradError, type NDArray } from '@cellgrad/graph';
import { writeFileSafely } from '@cellgrad/graph/io';
import { parseWeights } from './parse.js';
import type { TensorDict } from './tensors.js';

/**
 * Write named tensors to `path` as JSON `{ name: { shape, data } }` (atomically: `writeFileSafely`).
 * Float64 values round-trip exactly.
 */
export function saveWeights(path: string, tensors: TensorDict): void {
  const json: Record<string, { shape: number[]; data: number[] }> = {};
  for (const [name, t] of Object.entries(tensors)) json[name] = { shape: [...t.shape], data: Array.from(t.data) };
  writeFileSafely(path, `${JSON.stringify(json)}\n`);
}

/** Read named tensors from a JSON file written by `saveWeights` (or any `{ name: { shape, data } }`). */
export function loadWeights(path: string): Record<string, NDArray> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CellgradError('usage', `weights '${path}': cannot read it (${(e as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new CellgradError('usage', `weights '${path}': not valid JSON (${(e as Error).message})`);
  }
  return parseWeights(json, path);
}
