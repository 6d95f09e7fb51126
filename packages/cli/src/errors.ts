/**
 * Exit codes and error reporting of the `cellgrad` command: a failed check exits 1; a usage error,
 * a bad file or any CellgradError prints one line `cellgrad: <message>` to stderr and exits 2 (the
 * stack trace, and the stack of the error it wraps, only with CELLGRAD_DEBUG=1).
 */
import { CommanderError } from 'commander';
import { CellgradError, isCellgradError } from '@cellgrad/graph';

/** Exit codes: success, a check that failed, an error (bad usage, bad input, crash). */
export const EXIT = { ok: 0, failed: 1, error: 2 } as const;

/** A user-facing error of the command line (bad option, missing file, no cell in a file): a `CellgradError` of kind `usage`. */
export class CliError extends CellgradError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'CliError';
  }
}

/** Throw a `CliError`. */
export function usage(message: string): never {
  throw new CliError(message);
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, ' ').trim();

/** The one-line text for `e`, without the `cellgrad: ` prefix. */
export function errorText(e: unknown): string {
  if (e instanceof CommanderError) return oneLine(e.message.replace(/^error:\s*/, ''));
  if (e instanceof CliError || isCellgradError(e)) return oneLine(e.message);
  if (e instanceof Error) return oneLine(`${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`);
  return oneLine(String(e));
}

/**
 * Print `e` as one line on stderr (plus its stack when CELLGRAD_DEBUG=1) and return the exit code
 * (commander's own exits for --help/--version keep their code).
 */
export function reportError(e: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (e instanceof CommanderError && e.exitCode === 0) return EXIT.ok;
  stderr.write(`cellgrad: ${errorText(e)}\n`);
  if (process.env.CELLGRAD_DEBUG === '1' && e instanceof Error && e.stack) {
    stderr.write(`${e.stack}\n`);
    if (e.cause instanceof Error && e.cause.stack) stderr.write(`caused by: ${e.cause.stack}\n`);
  }
  return EXIT.error;
}
