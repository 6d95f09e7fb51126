/**
 * Whether a process id belongs to a running process (signal 0 probes without signalling). Used to
 * tell the temporary files and lock files of dead processes from those of live ones.
 */

/** True when process `pid` exists (also when it belongs to another user: EPERM). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
