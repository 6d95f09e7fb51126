/**
 * The fortunes corpus and the character-level language-modelling task: `%` separators stripped,
 * every tenth fortune held out, one vocabulary, windows whose targets are the next characters,
 * and bits per character = the held-out cross-entropy in nats / ln 2 (checked against a model that
 * predicts the uniform distribution, which must score exactly log2 V).
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluate, getBuiltinCell, initModel } from '@cellgrad/cells';
import { bitsPerChar, charCorpus, fortunesCharsTask, readFortunes, splitFortunes, unigramEntropy } from '@cellgrad/cells/node';
import { tempDir } from '../cli/helpers.js';
import { itWithData } from '../support/real-data.js';

describe('fortunes', () => {
  it("splits a fortune file at % lines, keeping each fortune's lines", () => {
    expect(splitFortunes('One.\n%\nTwo,\n  two.\n%\n%\nThree.\n%\n')).toEqual(['One.\n', 'Two,\n  two.\n', 'Three.\n']);
    expect(splitFortunes('Last, without a separator\n')).toEqual(['Last, without a separator\n']);
    expect(splitFortunes('100%\n%\n')).toEqual(['100%\n']);
  });

  it('reads a folder of fortune files (skipping .dat and .u8) and names a missing folder and the package', () => {
    const dir = tempDir('cellgrad-fortunes-');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'b'), 'bee\n%\n');
    writeFileSync(path.join(dir, 'a'), 'ant\n%\nape\n%\n');
    writeFileSync(path.join(dir, 'a.dat'), Buffer.from([0, 1, 2, 255]));
    symlinkSync('a', path.join(dir, 'a.u8'));
    expect(readFortunes(dir)).toEqual(['ant\n', 'ape\n', 'bee\n']);
    expect(() => readFortunes(path.join(dir, 'none'))).toThrow(
      /cannot read the fortunes folder .*none: no such folder \(install it with `apt-get install fortunes`/,
    );
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    expect(() => readFortunes(empty)).toThrow(/holds no fortunes/);
  });

  it('charCorpus: every tenth fortune held out, one sorted vocabulary over both splits', () => {
    const c = charCorpus(['ab\n', 'ba\n'], 2);
    expect(c.vocab).toEqual(['\n', 'a', 'b']);
    expect(Array.from(c.train)).toEqual([1, 2, 0]);
    expect(Array.from(c.heldout)).toEqual([2, 1, 0]);
    const ten = Array.from({ length: 20 }, (_, k) => `${k}\n`);
    const d = charCorpus(ten);
    const text = (ids: Uint16Array) => Array.from(ids, (i) => d.vocab[i]).join('');
    expect(text(d.heldout)).toBe('9\n19\n');
    expect(text(d.train)).toBe(ten.filter((_, k) => k % 10 !== 9).join(''));
    expect(charCorpus(['é😀\n']).vocab).toEqual(['\n', 'é', '😀']);
  });

  itWithData('the installed fortunes: thousands of fortunes, no separator lines left', () => {
    const all = readFortunes();
    expect(all.length).toBeGreaterThan(5000);
    expect(all.some((f) => f.split('\n').includes('%'))).toBe(false);
    const c = charCorpus(all);
    expect(c.vocab).toContain('e');
    expect(c.heldout.length / (c.train.length + c.heldout.length)).toBeGreaterThan(0.07);
    expect(c.heldout.length / (c.train.length + c.heldout.length)).toBeLessThan(0.13);
  });

  itWithData('windows: one-hot characters, the target at every step is the next character', () => {
    const T = 12;
    const task = fortunesCharsTask(T, { trainLimit: 50, testLimit: 7 });
    const V = task.input;
    expect(task).toMatchObject({ name: 'fortunes-chars', steps: T, loss: { kind: 'xent', at: 'every', outputs: V }, metric: 'bits-per-char' });
    const corpus = charCorpus(readFortunes());
    const B = 2;
    const batch = task.data!.fill('train', [3, 40]);
    const at = (a: Float64Array, t: number, b: number) => Array.from(a.subarray((t * B + b) * V, (t * B + b + 1) * V)).indexOf(1);
    [3, 40].forEach((w, b) => {
      for (let t = 0; t < T; t++) {
        expect(at(batch.x, t, b)).toBe(corpus.train[w * T + t]);
        expect(at(batch.y, t, b)).toBe(corpus.train[w * T + t + 1]);
        if (t + 1 < T) expect(at(batch.y, t, b)).toBe(at(batch.x, t + 1, b));
      }
    });
    expect(task.data!.fill('heldout', [6, -1]).mask.reduce((s, m) => s + m, 0)).toBe(T);
    expect(task.baseline.value).toBeCloseTo(unigramEntropy(corpus.train, V), 12);
    expect(() => fortunesCharsTask(T, { trainLimit: 10 ** 9 })).toThrow(/training limit must be an integer in 1\.\./);
  });

  itWithData('bits per character: a model predicting the uniform distribution scores log2 V over the held-out split', () => {
    expect(bitsPerChar(Math.LN2 * 3)).toBeCloseTo(3, 14);
    const task = fortunesCharsTask(8, { trainLimit: 16, testLimit: 5 });
    const V = task.input;
    const spec = { cell: getBuiltinCell('gru'), input: V, hidden: 4, batch: 2, steps: 8, loss: task.loss, dtype: 'float64' as const };
    const params = initModel(spec, 0);
    params.head_weight!.fill(0);
    params.head_bias!.fill(0);
    const ev = evaluate(spec, params, task, 0, undefined, { executor: 'interpreted', dtype: 'float64' });
    expect(ev.sequences).toBe(5);
    expect(ev.loss).toBeCloseTo(Math.log(V), 12);
    expect(ev.bitsPerChar).toBeCloseTo(Math.log2(V), 12);
  });
});
