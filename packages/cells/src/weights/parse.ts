/**
 * `parseWeights`: named tensors from the parsed JSON of a weight file, `{ name: { shape, data } }`
 * (row-major data), every tensor checked. No file access (`loadWeights` in json.ts reads files).
 */
import { CellgradError, formatShape, sizeOf, type NDArray } from '@cellgrad/graph';

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
