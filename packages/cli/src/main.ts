/** `main`: run the `cellgrad` program on an argument list and return the exit code (never throws). */
import { buildProgram } from './program.js';
import { EXIT, reportError } from './errors.js';

/**
 * Run `cellgrad` with `argv` (without the node and script entries). Returns 0 on success, 1 when a
 * check failed, 2 on any error (printed as one line on stderr).
 */
export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  const program = buildProgram((c) => {
    code = c;
  });
  try {
    if (argv.length === 0) {
      process.stderr.write(program.helpInformation());
      return EXIT.error;
    }
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    return reportError(e);
  }
}
