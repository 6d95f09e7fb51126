/**
 * kill -9 at random moments of a write: a child process rewrites a 2 MiB file with writeFileSafely
 * in a loop and is SIGKILLed after a random (seeded) delay, eight times. After every kill the file on
 * disk is one whole version (its first line names its size, and the size matches), never a mix or
 * a prefix; the killed process's temporary file is removed by the next writer.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileSafely } from '@cellgrad/graph/io';
import { createRng } from '@cellgrad/graph';
import { repoRoot, tempDir } from '../cli/helpers.js';

const KILLS = 8;

/** The version on disk, checked whole: `[n, size]`. */
function wholeVersion(file: string): [number, number] {
  const text = readFileSync(file, 'latin1');
  const [n, size] = text.slice(0, text.indexOf('\n')).split(' ').map(Number) as [number, number];
  expect(text.length).toBe(size);
  expect(/^x*$/.test(text.slice(text.indexOf('\n') + 1))).toBe(true);
  return [n, size];
}

/** Start a writer at version `first`, kill it `delay` ms after its first complete write; the temporaries it left. */
function killWriter(file: string, first: number, delay: number): Promise<{ wrote: number; temps: string[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--conditions=@cellgrad/source', '--import', 'tsx', 'test/robustness/fixtures/write-loop.ts', file, String(first)], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let armed = false;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!armed) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delay);
      }
    });
    child.on('close', () => {
      const wrote = Math.max(-1, ...[...out.matchAll(/wrote (\d+)/g)].map((m) => Number(m[1])));
      resolve({ wrote, temps: readdirSync(path.dirname(file)).filter((n) => n.endsWith('.tmp') && n.includes(`.${child.pid}.`)) });
    });
  });
}

describe('kill -9 during writes', () => {
  it('the file is always one whole version; temporaries of killed writers are cleaned by the next write', async () => {
    const dir = tempDir('cellgrad-killwrite-');
    const file = path.join(dir, 'data.txt');
    const rng = createRng(12);
    let next = 0;
    let leftTemps = 0;
    for (let k = 0; k < KILLS; k++) {
      const delay = Math.floor(rng.next() * 150);
      const { wrote, temps } = await killWriter(file, next, delay);
      leftTemps += temps.length;
      const [n] = wholeVersion(file);
      // The file holds the last version reported written, or the one after it (renamed, not yet reported).
      expect([wrote, wrote + 1], `kill ${k} after ${delay} ms`).toContain(n);
      next = n + 1;
      // No temporary of an earlier (dead) writer survives the writes of the one just killed.
      expect(readdirSync(dir).filter((f) => f.endsWith('.tmp')).length).toBeLessThanOrEqual(1);
    }
    expect(leftTemps).toBeGreaterThan(0); // the kills did land mid-write
    writeFileSafely(file, '0 2\n');
    expect(readdirSync(dir)).toStrictEqual(['data.txt']);
  }, 120_000);
});
