/**
 * `cellgrad playground`: serve (on localhost) a page where a cell is edited in CodeMirror and run in
 * the browser — its unrolled graph, gradcheck, a live training curve on the adding problem and its
 * gradient flow; or, with `--build DIR`, write the same page as static files. The server only hands
 * out files; see packages/cli/playground/ for the page and docs/playground.md.
 */
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { loadAssets, writeAssets } from '../playground/assets.js';
import { headersFile } from '../playground/headers.js';
import { servePlayground } from '../playground/server.js';
import { EXIT } from '../errors.js';

/** Parsed options of `playground`. */
export interface PlaygroundOptions {
  readonly port: number;
  readonly host: string;
  readonly build?: string;
}

/** Default port of the playground. */
export const DEFAULT_PORT = 5177;

function portOption(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || n > 65535) throw new InvalidArgumentError('expected a port number from 0 to 65535 (0: any free port).');
  return n;
}

/** Resolve on SIGINT or SIGTERM (then stop listening for them). */
function interrupted(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Run the command; returns the exit code (serving returns when interrupted). */
export async function runPlayground(o: PlaygroundOptions): Promise<number> {
  const { assets, origin, seconds } = await loadAssets();
  const how = origin === 'prebuilt' ? 'prebuilt assets' : `bundled with esbuild in ${seconds.toFixed(1)} s`;
  if (o.build !== undefined) {
    const names = [...assets.keys()];
    const files = writeAssets(o.build, assets, new Map([['_headers', headersFile(names)]]));
    process.stdout.write(`cellgrad playground: wrote ${files.length} files to ${path.resolve(o.build)} (${how})\n`);
    process.stdout.write('serve them with the headers in _headers (COOP/COEP) for threads; without them the page runs on one thread\n');
    return EXIT.ok;
  }
  const server = await servePlayground(assets, { port: o.port, host: o.host });
  process.stdout.write(`cellgrad playground: ${server.url} (${how}; Ctrl+C stops)\n`);
  await interrupted();
  await server.close();
  return EXIT.ok;
}

/** Add the `playground` command to `program`. */
export function playgroundCommand(program: Command, setExit: (code: number) => void): Command {
  return program
    .command('playground')
    .description('edit a cell in the browser: its graph, gradcheck, training curve and gradient flow, computed in the page')
    .option('--port <n>', 'port to serve on (0: any free port)', portOption, DEFAULT_PORT)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--build <dir>', 'write the page as static files to DIR instead of serving it')
    .action(async (o: PlaygroundOptions) => setExit(await runPlayground(o)));
}
