/**
 * The fortune cookie files of Debian's `fortunes` package as a text corpus: each file holds
 * fortunes separated by lines holding only `%`. `readFortunes` returns the fortunes of every file
 * of a folder (sorted by file name; the `.dat` indexes and `.u8` links skipped); `charCorpus`
 * splits them into training and held-out text (every tenth fortune is held out) over one vocabulary
 * of characters.
 */
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CellgradError } from '@cellgrad/graph';

/** Where Debian installs the files; `CELLGRAD_FORTUNES_DIR` overrides it. */
export const FORTUNES_DIR = '/usr/share/games/fortunes';

/** The folder fortunes are read from: `dir`, else the environment's override, else Debian's. */
export function fortunesDir(dir?: string): string {
  return dir ?? process.env.CELLGRAD_FORTUNES_DIR ?? FORTUNES_DIR;
}

/** Split the text of one fortune file into its fortunes (text between `%` lines; empty ones dropped). */
export function splitFortunes(text: string): string[] {
  const out: string[] = [];
  let current: string[] = [];
  const flush = () => {
    while (current.length > 0 && current[current.length - 1] === '') current.pop();
    const f = current.join('\n');
    if (f.trim() !== '') out.push(`${f}\n`);
    current = [];
  };
  for (const line of text.replace(/\r\n/g, '\n').split('\n')) {
    if (line === '%') flush();
    else current.push(line);
  }
  // The last fortune of a file usually ends with `%\n`; text after it (if any) is one more fortune.
  flush();
  return out;
}

const cache = new Map<string, string[]>();

/**
 * Every fortune under `dir` (default: `fortunesDir()`), files in name order. A missing or empty
 * folder is an error naming it and the Debian package `fortunes`. Cached in-process by folder.
 */
export function readFortunes(dir?: string): string[] {
  const folder = fortunesDir(dir);
  const hit = cache.get(folder);
  if (hit) return hit;
  const hint = 'install it with `apt-get install fortunes`, or point CELLGRAD_FORTUNES_DIR at a folder of fortune files';
  let names: string[];
  try {
    names = readdirSync(folder).sort();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CellgradError('usage', `cannot read the fortunes folder ${folder}: ${code === 'ENOENT' ? 'no such folder' : (e as Error).message} (${hint})`);
  }
  const fortunes: string[] = [];
  for (const name of names) {
    if (name.startsWith('.') || name.endsWith('.dat') || name.endsWith('.u8')) continue;
    const file = path.join(folder, name);
    if (!lstatSync(file).isFile()) continue;
    fortunes.push(...splitFortunes(readFileSync(file, 'utf8')));
  }
  if (fortunes.length === 0) throw new CellgradError('usage', `the fortunes folder ${folder} holds no fortunes (${hint})`);
  cache.set(folder, fortunes);
  return fortunes;
}

/** Training and held-out text as character ids over one vocabulary. */
export interface CharCorpus {
  /** The characters (Unicode code points as strings), sorted by code point; id = index. */
  readonly vocab: readonly string[];
  /** Training text as ids. */
  readonly train: Uint16Array;
  /** Held-out text as ids. */
  readonly heldout: Uint16Array;
}

/**
 * Encode `fortunes` as characters: fortune k goes to the held-out text when k % `heldoutEvery` is
 * `heldoutEvery − 1` (default 10: every tenth fortune, 10% held out, spread over all files), else to
 * the training text; each split is its fortunes concatenated. The vocabulary is every character of
 * both splits (so no held-out character is unknown).
 *
 * @example charCorpus(['ab\n', 'ba\n'], 2) // { vocab: ['\n', 'a', 'b'], train: [1, 2, 0], heldout: [2, 1, 0] }
 */
export function charCorpus(fortunes: readonly string[], heldoutEvery = 10): CharCorpus {
  if (!Number.isInteger(heldoutEvery) || heldoutEvery < 2)
    throw new CellgradError('usage', `charCorpus: heldoutEvery must be an integer ≥ 2, got ${heldoutEvery}`);
  const cached = corpusCache.get(fortunes)?.get(heldoutEvery);
  if (cached) return cached;
  const corpus = encodeCorpus(fortunes, heldoutEvery);
  if (!corpusCache.has(fortunes)) corpusCache.set(fortunes, new Map());
  corpusCache.get(fortunes)!.set(heldoutEvery, corpus);
  return corpus;
}

/** Corpora already encoded, by fortune list (the cached `readFortunes` lists make repeated tasks cheap). */
const corpusCache = new WeakMap<readonly string[], Map<number, CharCorpus>>();

function encodeCorpus(fortunes: readonly string[], heldoutEvery: number): CharCorpus {
  const trainText = fortunes.filter((_, k) => k % heldoutEvery !== heldoutEvery - 1).join('');
  const heldoutText = fortunes.filter((_, k) => k % heldoutEvery === heldoutEvery - 1).join('');
  const codes = new Set<number>();
  for (const text of [trainText, heldoutText]) for (const ch of text) codes.add(ch.codePointAt(0)!);
  const sorted = [...codes].sort((a, b) => a - b);
  if (sorted.length > 65535) throw new CellgradError('usage', `charCorpus: ${sorted.length} distinct characters (at most 65535)`);
  const id = new Map(sorted.map((c, i) => [c, i]));
  const encode = (text: string) => Uint16Array.from(Array.from(text, (ch) => id.get(ch.codePointAt(0)!)!));
  return { vocab: sorted.map((c) => String.fromCodePoint(c)), train: encode(trainText), heldout: encode(heldoutText) };
}
