/**
 * `lockFile`: an exclusive lock on a path between processes, as a lock file `<file>.lock` holding
 * the owner's pid. The lock file appears atomically with its content (written aside, then hard-linked
 * into place, which fails if it exists). A lock whose pid is no longer running is stale and taken
 * over; a live one is an error naming its pid. Node-only (node:fs).
 */
import * as nodeFs from 'node:fs';
import path from 'node:path';
import { FileError, errnoText } from './file-error.js';
import { processAlive } from './process-alive.js';

/** A lock held by this process; `release()` removes the lock file (idempotent). */
export interface FileLock {
  /** The absolute path locked. */
  readonly path: string;
  /** The lock file, `<path>.lock`. */
  readonly lockPath: string;
  /** Remove the lock file (again: a no-op). */
  release(): void;
}

/** What a lock file holds. */
interface Holder {
  readonly pid: number;
  readonly owner: string;
  readonly since: string;
}

/** Lock files this process holds, with their exact content (to release only our own). */
const held = new Map<string, string>();

function readHolder(lockPath: string): Holder | null | 'missing' {
  let text: string;
  try {
    text = nodeFs.readFileSync(lockPath, 'utf8');
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : null;
  }
  try {
    const h = JSON.parse(text) as Partial<Holder>;
    return Number.isInteger(h.pid) ? { pid: h.pid!, owner: String(h.owner ?? 'unknown'), since: String(h.since ?? '?') } : null;
  } catch {
    return null;
  }
}

const sleep = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

function releaseAll(): void {
  for (const [lockPath, content] of held) {
    try {
      if (nodeFs.readFileSync(lockPath, 'utf8') === content) nodeFs.unlinkSync(lockPath);
    } catch {
      // Already gone.
    }
  }
  held.clear();
}

/** Put `content` at `lockPath` only if nothing is there; false when a lock file exists. */
function createExclusive(abs: string, lockPath: string, content: string): boolean {
  const aside = `${lockPath}.${process.pid}.new`;
  try {
    nodeFs.writeFileSync(aside, content, { flag: 'w' });
    try {
      nodeFs.linkSync(aside, lockPath);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
    }
    // No hard links on this file system: an exclusive create (content written just after).
    try {
      nodeFs.writeFileSync(lockPath, content, { flag: 'wx' });
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
  } catch (e) {
    const { code, text } = errnoText(e);
    throw new FileError(abs, code, `cannot lock ${abs}: cannot create ${lockPath}: ${text} (${code})`);
  } finally {
    try {
      nodeFs.unlinkSync(aside);
    } catch {
      /* not created */
    }
  }
}

/** Remove a stale lock file, guarded so two processes taking it over cannot both succeed. */
function removeStale(lockPath: string, stale: Holder | null): void {
  const guard = `${lockPath}.takeover`;
  try {
    nodeFs.mkdirSync(guard);
  } catch {
    // Another process is taking it over; a guard left by a killed process expires after 10 s.
    try {
      if (Date.now() - nodeFs.statSync(guard).mtimeMs > 10_000) nodeFs.rmdirSync(guard);
    } catch {
      /* gone */
    }
    sleep(20);
    return;
  }
  try {
    const now = readHolder(lockPath);
    const same = now === null ? stale === null : now !== 'missing' && stale !== null && now.pid === stale.pid && now.since === stale.since;
    if (same) nodeFs.unlinkSync(lockPath);
  } catch {
    // Gone already.
  } finally {
    nodeFs.rmdirSync(guard);
  }
}

/**
 * Lock `file` against other processes until `release()` (or this process's exit). A lock file left
 * by a process that is no longer running is taken over. Throws a `FileError` with code `ELOCKED`
 * naming the holder's pid when a running process holds it.
 * @example
 * const lock = lockFile('run.json', 'cellgrad train');
 * try { train(); } finally { lock.release(); }
 */
export function lockFile(file: string, owner = 'cellgrad'): FileLock {
  const abs = path.resolve(file);
  const lockPath = `${abs}.lock`;
  if (held.has(lockPath)) throw new FileError(abs, 'ELOCKED', `cannot lock ${abs}: this process (pid ${process.pid}) already holds ${lockPath}`);
  const content = `${JSON.stringify({ pid: process.pid, owner, since: new Date().toISOString() })}\n`;
  for (let attempt = 0; ; attempt++) {
    if (createExclusive(abs, lockPath, content)) break;
    const holder = readHolder(lockPath);
    if (holder === 'missing') continue;
    // A lock of this pid that this process does not hold was left by an earlier process with the same pid.
    if (holder !== null && holder.pid !== process.pid && processAlive(holder.pid)) {
      throw new FileError(
        abs,
        'ELOCKED',
        `${abs} is in use by another process: pid ${holder.pid} (${holder.owner}, since ${holder.since}; lock file ${lockPath}); wait for it to finish or use another file`,
      );
    }
    if (attempt >= 50) throw new FileError(abs, 'ELOCKED', `cannot lock ${abs}: could not take over the stale lock file ${lockPath}`);
    removeStale(lockPath, holder);
  }
  if (held.size === 0) process.on('exit', releaseAll);
  held.set(lockPath, content);
  return {
    path: abs,
    lockPath,
    release() {
      if (held.get(lockPath) !== content) return;
      held.delete(lockPath);
      if (held.size === 0) process.off('exit', releaseAll);
      try {
        if (nodeFs.readFileSync(lockPath, 'utf8') === content) nodeFs.unlinkSync(lockPath);
      } catch {
        // Already gone.
      }
    },
  };
}
