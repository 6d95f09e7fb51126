/**
 * Output paths of a command checked before anything runs: two outputs that are the same file, or
 * an output that is one of the command's input files, is a usage error naming both options and the
 * path. Paths are compared as files (symlinks resolved, hard links by device and inode), not as text.
 */
import { lstatSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { usage } from './errors.js';

/** A path with the option (or argument) it came from: `['--out', 'report.html']`. */
export type LabelledPath = readonly [label: string, file: string];

/** Where a dangling symlink at `abs` points (a write through it creates that file), else undefined. */
function danglingTarget(abs: string): string | undefined {
  try {
    return lstatSync(abs).isSymbolicLink() ? path.resolve(path.dirname(abs), readlinkSync(abs)) : undefined;
  } catch {
    return undefined;
  }
}

/** What identifies the file at `file`: device and inode when it exists, else its resolved path. */
function fileIdentity(file: string, links = 0): { key: string; abs: string; exists: boolean } {
  const abs = path.resolve(file);
  try {
    const st = statSync(abs);
    return { key: `${st.dev}:${st.ino}`, abs, exists: true };
  } catch {
    // Not there yet: a dangling symlink is the file it points to; else the real folder and the name.
    const link = links < 40 ? danglingTarget(abs) : undefined;
    if (link !== undefined) return { ...fileIdentity(link, links + 1), abs };
    let dir = path.dirname(abs);
    try {
      dir = realpathSync(dir);
    } catch {
      // The folder does not exist either: compare the text.
    }
    return { key: path.join(dir, path.basename(abs)), abs, exists: false };
  }
}

/**
 * Refuse `outputs` that collide with each other or with an existing input file (an input that is
 * not a file, such as a built-in cell name, cannot collide).
 * @example
 * checkOutputs([['--checkpoint', o.checkpoint], ['--report-data', o.reportData]], [['--cell', o.cell]]);
 */
export function checkOutputs(outputs: readonly LabelledPath[], inputs: readonly LabelledPath[] = []): void {
  const seen = new Map<string, string>();
  for (const [label, file] of outputs) {
    const id = fileIdentity(file);
    const other = seen.get(id.key);
    if (other !== undefined) usage(`${other} and ${label} are the same file (${id.abs}); give each output its own path`);
    seen.set(id.key, label);
  }
  for (const [label, file] of inputs) {
    const id = fileIdentity(file);
    if (!id.exists) continue;
    const output = seen.get(id.key);
    if (output !== undefined) usage(`${output} ${id.abs} is the input ${label}; writing it would destroy the input, choose another path`);
  }
}
