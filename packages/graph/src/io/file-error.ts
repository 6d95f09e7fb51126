/**
 * `FileError`: the CellgradError (kind 'io') for a file that could not be written or locked. It
 * names the file and the errno (`ENOSPC`, `EACCES`, …) and says what happened to the previous file.
 */
import { CellgradError } from '../ir/errors.js';

/** A file could not be written or locked; `path` is the absolute file, `code` the errno name. */
export class FileError extends CellgradError {
  /** The absolute path of the file concerned. */
  readonly path: string;
  /** The errno name (`ENOSPC`, `EACCES`, `EISDIR`, …), or `ESHORTWRITE`/`ELOCKED` for cellgrad's own. */
  readonly code: string;
  /** An error about `file`, with the system error `code` (e.g. `ENOSPC`) and a message saying what failed. */
  constructor(file: string, code: string, message: string) {
    super('io', message);
    this.name = 'CellgradError';
    this.path = file;
    this.code = code;
  }
}

/** The readable text of a Node errno error: `no space left on device` for ENOSPC. */
export function errnoText(e: unknown): { code: string; text: string } {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : 'EIO';
  // Node's messages read "ENOSPC: no space left on device, write"; keep the description only.
  const m = /^[A-Z0-9_]+: ([^,]+)/.exec(String(err?.message ?? ''));
  return { code, text: m ? m[1]! : String(err?.message ?? e) };
}
