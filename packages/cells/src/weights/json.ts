/**
 * Weight files on disk: plain JSON `{ name: { shape, data } }` (row-major data), the form of the
 * shared reference files' `params`. Reading checks every tensor and names the one at fault.
 */
import { readFileSync } from 'node:fs';
import { CellgradError, formatShape, sizeOf, type NDArray } from '@cellgrad/graph';
import { writeFileSafely } from '@cellgrad/graph/io';
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

/** Parse `{ name: { shape, data } }` (already-parsed JSON) into float64 tensors. */
export function parseWeights(json: unknown, source = '<object>'): Record<string, NDArray> {
  const bad = (msg: string): never => {
    throw new CellgradError('usage', `weights '${source}': ${msg}`);
  };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) bad('expected an object mapping names to { shape, data }');
  const out: Record<string, NDArray> = {};
  for (const [name, raw] of Object.entries(json as Record<string, unknown>)) {
    const t = raw as { shape?: unknown; data?: unknown };
    if (typeof t !== 'object' || t === null) bad(`tensor '${name}' is not an object { shape, data }`);
    const shape = t.shape;
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
      bad(`tensor '${name}' has shape ${JSON.stringify(shape)}, not an array of non-negative integers`);
    const s = shape as number[];
    if (!Array.isArray(t.data) || t.data.length !== sizeOf(s)) {
      bad(
        `tensor '${name}' needs ${sizeOf(s)} finite numbers for shape ${formatShape(s)}, got ${Array.isArray(t.data) ? `${t.data.length} values` : JSON.stringify(t.data)}`,
      );
    }
    const at = (t.data as unknown[]).findIndex((v) => typeof v !== 'number' || !Number.isFinite(v));
    if (at >= 0)
      bad(`tensor '${name}' needs ${sizeOf(s)} finite numbers for shape ${formatShape(s)}, got ${JSON.stringify((t.data as unknown[])[at])} at data[${at}]`);
    // A data property even for a name such as "__proto__" (plain assignment would set the prototype).
    Object.defineProperty(out, name, {
      value: { shape: [...s], data: Float64Array.from(t.data as number[]) },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
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
