/**
 * The IDX reader and the Fashion-MNIST loader: the real Debian files parse with the shipped shapes
 * and known first labels; tiny synthetic files check every error (bad magic, element type,
 * truncated header or payload, trailing data, truncated gzip, a missing file naming the path and
 * the Debian package, labels out of range, counts that disagree).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FASHION_MNIST_CLASSES, loadFashionMnist, parseIdx, readIdx } from '@cellgrad/cells/node';
import { tempDir } from '../cli/helpers.js';
import { itWithData } from '../support/real-data.js';

/** The bytes of an IDX file of unsigned bytes with `dims` and `values`. */
function idxBytes(dims: number[], values: number[], type = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(values)]);
}

describe('IDX files', () => {
  it('parses dims and values; every malformed header or payload is an error naming the file', () => {
    const ok = parseIdx(idxBytes([2, 3], [1, 2, 3, 4, 5, 6]), 'a.idx');
    expect(ok.dims).toEqual([2, 3]);
    expect(Array.from(ok.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => parseIdx(idxBytes([2, 3], [1, 2, 3, 4, 5]), 'a.idx')).toThrow(
      /IDX file a\.idx: dimensions \[2, 3\] need 6 values, the file has 5 \(truncated\)/,
    );
    expect(() => parseIdx(idxBytes([2, 3], [1, 2, 3, 4, 5, 6, 7]), 'a.idx')).toThrow(/trailing data/);
    expect(() => parseIdx(Buffer.from([0x1f, 0x8b, 8, 0]), 'b.idx')).toThrow(/IDX file b\.idx: bad magic number 0x1f8b0800/);
    expect(() => parseIdx(idxBytes([2], [0, 0, 0, 0, 0, 0, 0, 0], 0x0d), 'c.idx')).toThrow(/element type 0xd \(float\)/);
    expect(() => parseIdx(idxBytes([2, 3], []).subarray(0, 9), 'd.idx')).toThrow(/header of 2 dimensions needs 12 bytes, the file has 9/);
    expect(() => parseIdx(new Uint8Array(2), 'e.idx')).toThrow(/only 2 bytes/);
    expect(() => parseIdx(Uint8Array.of(0, 0, 8, 0), 'f.idx')).toThrow(/zero dimensions/);
  });

  it('reads gzipped files; a truncated gzip stream and a missing file are clear errors', () => {
    const dir = tempDir('cellgrad-idx-');
    const file = path.join(dir, 'x-idx1-ubyte.gz');
    const gz = gzipSync(idxBytes([4], [7, 8, 9, 10]));
    writeFileSync(file, gz);
    expect(Array.from(readIdx(file).data)).toEqual([7, 8, 9, 10]);
    const cut = path.join(dir, 'cut.gz');
    writeFileSync(cut, gz.subarray(0, gz.length - 6));
    expect(() => readIdx(cut)).toThrow(/IDX file .*cut\.gz: cannot inflate the gzip data .*truncated or corrupt/);
    expect(() => readIdx(path.join(dir, 'none.gz'), 'install it')).toThrow(/cannot read .*none\.gz: no such file \(install it\)/);
  });

  it('Fashion-MNIST from a folder without the files names the path and the Debian package', () => {
    const dir = tempDir('cellgrad-fashion-');
    expect(() => loadFashionMnist('test', { dir })).toThrow(
      new RegExp(`cannot read ${dir}/t10k-images-idx3-ubyte.gz: no such file \\(install it with \`apt-get install dataset-fashion-mnist\``),
    );
  });

  it('Fashion-MNIST checks that images and labels agree and labels are 0..9', () => {
    const dir = tempDir('cellgrad-fashion-');
    const write = (name: string, bytes: Buffer) => writeFileSync(path.join(dir, name), gzipSync(bytes));
    mkdirSync(dir, { recursive: true });
    write('t10k-images-idx3-ubyte.gz', idxBytes([2, 2, 2], [0, 1, 2, 3, 4, 5, 6, 255]));
    write('t10k-labels-idx1-ubyte.gz', idxBytes([2], [3, 9]));
    const s = loadFashionMnist('test', { dir });
    expect(s).toMatchObject({ count: 2, rows: 2, cols: 2 });
    expect(Array.from(s.labels)).toEqual([3, 9]);
    expect(loadFashionMnist('test', { dir, limit: 1 }).images.length).toBe(4);
    expect(() => loadFashionMnist('test', { dir, limit: 3 })).toThrow(/limit must be an integer in 1\.\.2, got 3/);
    write('t10k-labels-idx1-ubyte.gz', idxBytes([2], [3, 10]));
    expect(() => loadFashionMnist('test', { dir })).toThrow(/label 10 at example 1 is outside 0\.\.9 \(corrupt\)/);
    write('t10k-labels-idx1-ubyte.gz', idxBytes([3], [3, 1, 2]));
    expect(() => loadFashionMnist('test', { dir })).toThrow(/has 2 images but .* has 3 labels/);
    write('t10k-images-idx3-ubyte.gz', idxBytes([8], [0, 1, 2, 3, 4, 5, 6, 7]));
    expect(() => loadFashionMnist('test', { dir })).toThrow(/expected 3 dimensions \[count, rows, cols\], got \[8\]/);
  });

  itWithData('the real files: 60000 + 10000 images of 28×28, labels 0..9 with the known first labels', () => {
    const train = loadFashionMnist('train');
    const test = loadFashionMnist('test');
    expect([train.count, train.rows, train.cols]).toEqual([60000, 28, 28]);
    expect([test.count, test.rows, test.cols]).toEqual([10000, 28, 28]);
    expect(train.images.length).toBe(60000 * 784);
    // The first training images are an ankle boot, two T-shirts, a dress, a T-shirt, a pullover...
    expect(Array.from(train.labels.subarray(0, 10))).toEqual([9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
    expect(FASHION_MNIST_CLASSES[train.labels[0]!]).toBe('Ankle boot');
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([9, 2, 1, 1, 6]);
    // The classes are balanced: 6000 of each in training, 1000 in the test split.
    const counts = (labels: Uint8Array) => Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length);
    expect(counts(train.labels)).toEqual(Array(10).fill(6000));
    expect(counts(test.labels)).toEqual(Array(10).fill(1000));
    // The first image has a black border and some bright pixels; all pixels are bytes.
    const first = train.images.subarray(0, 784);
    expect(first[0]).toBe(0);
    expect(Math.max(...first)).toBe(255);
    expect(loadFashionMnist('train', { limit: 5 }).images.length).toBe(5 * 784);
  });
});
