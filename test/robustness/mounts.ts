/**
 * Small real file systems for the fault-injection tests: a tmpfs of a given size (a full disk that
 * gives ENOSPC) mounted on a unique folder under the OS temp dir, optionally remounted read-only
 * (EROFS). Mounting needs root (or CAP_SYS_ADMIN); `mountSupport` says whether it works here and
 * why not, so tests can skip with the reason printed. Every mount is unmounted in a finally.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const run = (cmd: string, args: string[]): void => {
  execFileSync(cmd, args, { stdio: 'pipe' });
};

function mountTmpfs(size: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cellgrad-tmpfs-'));
  try {
    run('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0777`, 'tmpfs', dir]);
  } catch (e) {
    rmdirSync(dir);
    throw e;
  }
  return dir;
}

function unmount(dir: string): void {
  try {
    run('umount', [dir]);
  } catch {
    run('umount', ['-l', dir]); // busy (a child still has it open): detach now, freed when closed
  }
  rmdirSync(dir);
}

/** Whether this machine lets the tests mount a tmpfs, and if not, why. */
export const mountSupport: { readonly ok: boolean; readonly reason: string } = (() => {
  try {
    unmount(mountTmpfs('64k'));
    return { ok: true, reason: '' };
  } catch (e) {
    const why = ((e as { stderr?: Buffer }).stderr?.toString() || (e as Error).message).trim().split('\n')[0];
    return { ok: false, reason: `cannot mount a tmpfs here (${why}); the real-disk cases are skipped` };
  }
})();
if (!mountSupport.ok) console.warn(`[fault-injection] ${mountSupport.reason}`);

/** Run `fn` with a fresh tmpfs of `size` (e.g. '128k') mounted; always unmounted afterwards. */
export async function withTmpfs<T>(size: string, fn: (dir: string) => Promise<T> | T): Promise<T> {
  const dir = mountTmpfs(size);
  try {
    return await fn(dir);
  } finally {
    unmount(dir);
  }
}

/** Remount the tmpfs at `dir` read-only: writes then fail with EROFS. */
export function remountReadOnly(dir: string): void {
  run('mount', ['-o', 'remount,ro', dir]);
}
