/**
 * The IDX file format (LeCun's MNIST format, also Fashion-MNIST's): a 4-byte magic number (two zero
 * bytes, a type code, the number of dimensions), one big-endian uint32 per dimension, then the
 * values in row-major order. Files may be gzipped (`.gz`, inflated with node:zlib). Only unsigned
 * bytes (type 0x08) are read, which is what image and label files hold. Parsed files are cached
 * in-process by path, so tests and repeated runs pay the inflation once.
 */
import { readFileSync, statSync, type Stats } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CellgradError } from '@cellgrad/graph';

/** A parsed IDX array of unsigned bytes. */
export interface IdxArray {
  /** Dimensions, outermost first (e.g. [60000, 28, 28] for images, [60000] for labels). */
  readonly dims: readonly number[];
  /** The values, row-major. */
  readonly data: Uint8Array;
}

const UBYTE = 0x08;
const TYPE_NAMES: Record<number, string> = { 8: 'ubyte', 9: 'byte', 11: 'short', 12: 'int', 13: 'float', 14: 'double' };

/**
 * Parse the bytes of an (already inflated) IDX file of unsigned bytes. `file` names the source in
 * errors. Checks the magic number, the dimensions and that the payload has exactly their product of
 * values (a shorter one is a truncated file, a longer one is not IDX).
 *
 * @example parseIdx(bytes, 'labels.idx') // { dims: [10], data: Uint8Array(10) }
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  const bad = (what: string): never => {
    throw new CellgradError('usage', `IDX file ${file}: ${what}`);
  };
  if (bytes.length < 4) bad(`only ${bytes.length} bytes, too short for the 4-byte magic number (truncated or empty file)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0)
    bad(`bad magic number 0x${view.getUint32(0).toString(16).padStart(8, '0')} (expected 0x0000TTNN: not an IDX file, or still compressed)`);
  const type = bytes[2]!;
  const rank = bytes[3]!;
  if (type !== UBYTE) bad(`element type 0x${type.toString(16)} (${TYPE_NAMES[type] ?? 'unknown'}); only unsigned bytes (0x08) are supported`);
  if (rank < 1) bad('zero dimensions');
  const header = 4 + 4 * rank;
  if (bytes.length < header) bad(`header of ${rank} dimensions needs ${header} bytes, the file has ${bytes.length} (truncated)`);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d));
  const size = dims.reduce((a, n) => a * n, 1);
  const payload = bytes.length - header;
  if (payload < size) bad(`dimensions [${dims.join(', ')}] need ${size} values, the file has ${payload} (truncated)`);
  if (payload > size) bad(`dimensions [${dims.join(', ')}] need ${size} values, the file has ${payload} (trailing data: corrupt)`);
  return { dims, data: bytes.subarray(header) };
}

const cache = new Map<string, { mtimeMs: number; size: number; array: IdxArray }>();

/**
 * Read an IDX file (gzipped when its name ends in `.gz`). A missing file is an error naming the
 * path and `hint` (e.g. the package that installs it); a truncated or corrupt one, an error naming
 * the file and what is wrong. Cached in-process by path (re-read when the file changes).
 */
export function readIdx(file: string, hint = ''): IdxArray {
  let stat: Stats;
  try {
    stat = statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CellgradError('usage', `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}${hint ? ` (${hint})` : ''}`);
  }
  const hit = cache.get(file);
  if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit.array;
  let bytes: Uint8Array = readFileSync(file);
  if (file.endsWith('.gz')) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new CellgradError(
        'usage',
        `IDX file ${file}: cannot inflate the gzip data (${(e as Error).message}): the file is truncated or corrupt${hint ? ` (${hint})` : ''}`,
      );
    }
  }
  const array = parseIdx(bytes, file);
  cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, array });
  return array;
}
