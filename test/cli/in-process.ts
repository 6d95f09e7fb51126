/**
 * Run the `cellgrad` command inside the test process (no child, no loader start-up): `main(args)`
 * with stdout and stderr captured. For commands that load no user files (built-in cells and tasks).
 */
import { vi } from 'vitest';
import { main } from '../../packages/cli/src/main.js';
import type { CliRun } from './helpers.js';

/** `cellgrad <args>` in this process; resolves with the exit code and what it printed. */
export async function cellgradInProcess(args: readonly string[]): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((s: string | Uint8Array) => ((stdout += String(s)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => ((stderr += String(s)), true));
  try {
    return { code: await main([...args]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}
