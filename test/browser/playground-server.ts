/**
 * Start `cellgrad playground --port 0` from source (as `pnpm cellgrad playground` does) and read the
 * address it prints; `stop` ends that process by its id.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { repoRoot } from '../cli/helpers.js';

/** A running playground command. */
export interface RunningPlayground {
  readonly url: string;
  /** What the command printed on start. */
  readonly banner: string;
  stop(): Promise<void>;
}

/** Start the command with `args` after `playground`; rejects with its stderr if it exits first. */
export function startPlayground(args: readonly string[] = ['--port', '0']): Promise<RunningPlayground> {
  const child: ChildProcess = spawn(process.execPath, ['--conditions=@cellgrad/source', '--import', 'tsx', 'packages/cli/src/bin.ts', 'playground', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m)
        resolve({
          url: m[1]!,
          banner: out.trim(),
          stop: async () => {
            child.kill('SIGINT');
            await exited;
          },
        });
    });
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('exit', (code) => reject(new Error(`cellgrad playground exited with ${code} before serving: ${err}`)));
  });
}
