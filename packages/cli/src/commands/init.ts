/**
 * `cellgrad init <dir>`: scaffold a research project that depends on cellgrad (package.json,
 * strict tsconfig, vitest config, an example cell, a vitest suite using `toPassGradcheck` and a
 * fast-check property, a README). A folder that exists and is not empty is refused before anything
 * is written. `--from <dir>` takes cellgrad from packed tarballs (`file:`), for installing offline.
 */
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { writeFileSafely } from '@cellgrad/graph/io';
import { EXIT, usage } from '../errors.js';
import { tarballDependencies } from '../init/tarballs.js';
import { scaffoldFiles } from '../init/templates.js';
import { cellgradRange, SCAFFOLD_DEV_DEPENDENCIES } from '../init/versions.js';
import { VERSION } from '../version.js';

/** Parsed options of `init`. */
export interface InitCommandOptions {
  /** A folder of packed cellgrad tarballs to depend on instead of the registry. */
  readonly from?: string;
  /** The project's npm name (default: from the folder's name). */
  readonly name?: string;
}

/** An npm package name made from a folder name: lower case, runs of other characters as '-'. */
export function projectName(dir: string): string {
  const base = path
    .basename(path.resolve(dir))
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  return base || 'cellgrad-project';
}

/** Refuse a folder that exists and is not empty (or is a file); nothing is written then. */
function checkTarget(dir: string): string {
  const abs = path.resolve(dir);
  if (!existsSync(abs)) return abs;
  if (!statSync(abs).isDirectory()) usage(`init: ${abs} exists and is not a folder; nothing was written`);
  const entries = readdirSync(abs);
  if (entries.length > 0) {
    const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', …' : '');
    usage(
      `init: ${abs} is not empty (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}: ${shown}); choose a new or empty folder, nothing was written`,
    );
  }
  return abs;
}

/** Run the command; returns the exit code. */
export function runInit(dir: string, o: InitCommandOptions): number {
  const name = o.name ?? projectName(dir);
  if (!/^(@[a-z0-9._-]+\/)?[a-z0-9][a-z0-9._-]*$/.test(name))
    usage(`init --name: '${name}' is not a valid npm package name (lower case letters, digits, . _ -)`);
  const dependencies = o.from !== undefined ? tarballDependencies(o.from) : { cellgrad: cellgradRange() };
  const abs = checkTarget(dir);
  const files = scaffoldFiles({ name, dependencies, devDependencies: SCAFFOLD_DEV_DEPENDENCIES, version: VERSION });
  mkdirSync(abs, { recursive: true });
  for (const [file, content] of files) writeFileSafely(path.join(abs, file), content, { mkdir: true });
  const rel = path.relative(process.cwd(), abs);
  const shown = rel && !rel.startsWith('..') ? rel : abs;
  const cd = /[^\w./-]/.test(shown) ? `'${shown.replace(/'/g, "'\\''")}'` : shown;
  const from = o.from !== undefined ? `, cellgrad from the tarballs in ${path.resolve(o.from)}` : '';
  process.stdout.write(
    `created ${name} in ${abs} (cellgrad ${VERSION}${from}):\n${files.map(([f]) => `  ${f}`).join('\n')}\n` + `next: cd ${cd} && npm install && npm test\n`,
  );
  return EXIT.ok;
}

/** Add the `init` command to `program`. */
export function initCommand(program: Command, setExit: (code: number) => void): Command {
  return program
    .command('init')
    .description('scaffold a research project that depends on cellgrad: an example cell, its gradient checks in vitest, a README')
    .argument('<dir>', 'the folder to create (new or empty)')
    .option('--from <dir>', 'depend on the packed cellgrad tarballs in this folder (file:), to install offline')
    .option('--name <name>', "the project's npm name (default: from the folder's name)")
    .action((dir: string, o: InitCommandOptions) => setExit(runInit(dir, o)));
}
