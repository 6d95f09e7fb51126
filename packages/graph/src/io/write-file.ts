/**
 * `writeFileSafely`: the one way cellgrad writes a file. The bytes go to a temporary file in the
 * target's folder (named `.<name>.<pid>.<time>-<n>.tmp`), every byte count `write` returns is
 * checked (a write that makes no progress is an error), the file is fsynced, renamed over the
 * target, and the folder fsynced. On any failure the temporary file is removed and a `FileError`
 * names the file and the errno; the previous file is untouched. Temporary files that dead processes
 * left next to the target are removed on the next write to it. Node-only (node:fs).
 */
import * as nodeFs from 'node:fs';
import path from 'node:path';
import { FileError, errnoText } from './file-error.js';
import { processAlive } from './process-alive.js';

/** The file-system calls a write makes; tests substitute failing ones (short writes, ENOSPC). */
export interface WriteFs {
  /** Open `file` as `fs.openSync` does; returns the descriptor. */
  openSync(file: string, flags: string, mode?: number): number;
  /** Write part of `buffer` as `fs.writeSync` does; returns the bytes written (maybe fewer). */
  writeSync(fd: number, buffer: Uint8Array, offset: number, length: number): number;
  /** Flush `fd` to the disk. */
  fsyncSync(fd: number): void;
  /** Close `fd`. */
  closeSync(fd: number): void;
  /** Rename `from` to `to`, replacing `to` atomically. */
  renameSync(from: string, to: string): void;
  /** Delete `file`. */
  unlinkSync(file: string): void;
}

/** Options of `writeFileSafely`. */
export interface WriteFileOptions {
  /** Create missing parent folders first (default false: a missing folder is an error). */
  readonly mkdir?: boolean;
  /** Replace some file-system calls (fault-injection tests). */
  readonly fs?: Partial<WriteFs>;
}

const realFs: WriteFs = {
  openSync: (f, flags, mode) => nodeFs.openSync(f, flags, mode),
  writeSync: (fd, buffer, offset, length) => nodeFs.writeSync(fd, buffer, offset, length),
  fsyncSync: (fd) => nodeFs.fsyncSync(fd),
  closeSync: (fd) => nodeFs.closeSync(fd),
  renameSync: (from, to) => nodeFs.renameSync(from, to),
  unlinkSync: (f) => nodeFs.unlinkSync(f),
};

let counter = 0;

/** The temporary files of `base` in `dir` (any pid), as `[name, pid]`. */
function tempsOf(dir: string, base: string): [string, number][] {
  let names: string[];
  try {
    names = nodeFs.readdirSync(dir);
  } catch {
    return [];
  }
  const prefix = `.${base}.`;
  const out: [string, number][] = [];
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)\.[0-9a-z-]+$/.exec(name.slice(prefix.length, -'.tmp'.length));
    if (m) out.push([name, Number(m[1])]);
  }
  return out;
}

/**
 * Remove the temporary files of `file` left by processes that are no longer running (and by this
 * process: its writes are synchronous, so none of its own is in progress). Returns the removed paths.
 */
export function removeStaleTemps(file: string): string[] {
  const abs = path.resolve(file);
  const dir = path.dirname(abs);
  const removed: string[] = [];
  for (const [name, pid] of tempsOf(dir, path.basename(abs))) {
    if (pid !== process.pid && processAlive(pid)) continue;
    try {
      nodeFs.unlinkSync(path.join(dir, name));
      removed.push(path.join(dir, name));
    } catch {
      // Gone already, or not ours to remove: leave it.
    }
  }
  return removed;
}

/** The file a write to `abs` replaces: the target of a symlink, so the link keeps pointing at it. */
function realTarget(abs: string): string {
  try {
    return nodeFs.realpathSync(abs);
  } catch {
    return abs;
  }
}

/**
 * Write `data` to `file` so that the file holds either its previous content or all of `data`, never
 * a part: temporary file, checked writes, fsync, rename, folder fsync. Returns the absolute path.
 * Throws a `FileError` (a CellgradError of kind 'io') naming the file and the errno, e.g.
 * `cannot write /mnt/f/run.json: no space left on device (ENOSPC); the previous file is unchanged`.
 * @example
 * writeFileSafely('out/run.json', JSON.stringify(snapshot), { mkdir: true });
 */
export function writeFileSafely(file: string, data: string | Uint8Array, options: WriteFileOptions = {}): string {
  const fs: WriteFs = { ...realFs, ...options.fs };
  const abs = path.resolve(file);
  const target = realTarget(abs);
  let existed = false;
  let mode = 0o644;
  try {
    const st = nodeFs.statSync(target);
    if (st.isDirectory()) throw new FileError(abs, 'EISDIR', `cannot write ${abs}: it is a directory (EISDIR); nothing was written`);
    existed = true;
    mode = st.mode & 0o777;
  } catch (e) {
    if (e instanceof FileError) throw e;
  }
  const dir = path.dirname(target);
  const outcome = existed ? 'the previous file is unchanged' : 'nothing was written';
  const failure = (e: unknown): FileError => {
    if (e instanceof FileError) return e;
    const { code, text } = errnoText(e);
    return new FileError(abs, code, `cannot write ${abs}: ${text} (${code}); ${outcome}`);
  };
  if (options.mkdir) {
    try {
      nodeFs.mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw failure(e);
    }
  }
  removeStaleTemps(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${Date.now().toString(36)}-${(counter++).toString(36)}.tmp`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(tmp, 'wx', mode);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    for (let done = 0; done < bytes.length; ) {
      const n = fs.writeSync(fd, bytes, done, bytes.length - done);
      if (!(n > 0)) {
        throw new FileError(
          abs,
          'ESHORTWRITE',
          `cannot write ${abs}: the file system took ${done} of ${bytes.length} bytes and then none (short write); ${outcome}`,
        );
      }
      done += n;
    }
    fs.fsyncSync(fd);
    const closing = fd;
    fd = undefined;
    fs.closeSync(closing);
    fs.renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* closing is best effort once the write failed */
      }
    }
    try {
      fs.unlinkSync(tmp);
    } catch {
      /* never created, or already gone */
    }
    throw failure(e);
  }
  try {
    const dfd = nodeFs.openSync(dir, 'r');
    try {
      nodeFs.fsyncSync(dfd);
    } finally {
      nodeFs.closeSync(dfd);
    }
  } catch {
    // Some platforms cannot fsync a folder; the rename itself is atomic.
  }
  return abs;
}
