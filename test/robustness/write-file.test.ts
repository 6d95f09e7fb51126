/**
 * `writeFileSafely` under injected faults (the fs seam of its options; always runs, no root needed):
 * short writes that stop making progress, writes that progress a few bytes at a time, ENOSPC,
 * EACCES, EIO on fsync, a failed rename. In every failure the previous file is byte-for-byte
 * unchanged, no temporary file is left, and the error is a CellgradError (kind 'io') naming the file
 * and the errno. Also real EISDIR, temporaries of dead processes removed, and `lockFile`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '@cellgrad/cells/node';
import { FileError, lockFile, writeFileSafely, type WriteFs } from '@cellgrad/graph/io';
import { tempDir } from '../cli/helpers.js';
import { thrown } from './helpers.js';

const OLD = 'the previous, good content\n';
const NEW = `${'{"new":"content"}'.repeat(5000)}\n`;

/** A folder holding `file` with OLD in it. */
function existing(name = 'run.json'): { dir: string; file: string } {
  const dir = tempDir('cellgrad-write-');
  const file = path.join(dir, name);
  writeFileSync(file, OLD);
  return { dir, file };
}

const errnoError = (code: string, text: string, call: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: ${text}, ${call}`), { code });

/** The file error of writing NEW to `file` with the injected calls. */
const failedWrite = (file: string, fs: Partial<WriteFs>): FileError => {
  const e = thrown(() => writeFileSafely(file, NEW, { fs }));
  expect(e).toBeInstanceOf(FileError);
  expect(e.kind).toBe('io');
  return e as FileError;
};

/** Only `file` itself in `dir`: no temporary left behind. */
const onlyTarget = (dir: string, file: string) => expect(readdirSync(dir)).toStrictEqual([path.basename(file)]);

describe('writeFileSafely: injected faults', () => {
  it('a short write that stops making progress is an error; the previous file stays', () => {
    const { dir, file } = existing();
    let calls = 0;
    // The first call takes 4096 bytes, the next takes none (what a full disk does to write(2)).
    const e = failedWrite(file, { writeSync: (fd, buf, off, len) => (calls++ === 0 ? writeSync(fd, buf, off, Math.min(len, 4096)) : 0) });
    expect(e.code).toBe('ESHORTWRITE');
    expect(e.message).toBe(
      `cannot write ${file}: the file system took 4096 of ${Buffer.byteLength(NEW)} bytes and then none (short write); the previous file is unchanged`,
    );
    expect(readFileSync(file, 'utf8')).toBe(OLD);
    onlyTarget(dir, file);
  });

  it('writes that each take a few bytes are continued until every byte is written', () => {
    const { file } = existing();
    let calls = 0;
    writeFileSafely(file, NEW, { fs: { writeSync: (fd, buf, off, len) => (calls++, writeSync(fd, buf, off, Math.min(len, 999))) } });
    expect(readFileSync(file, 'utf8')).toBe(NEW);
    expect(calls).toBe(Math.ceil(Buffer.byteLength(NEW) / 999));
  });

  it('ENOSPC part-way: the error names the file and errno, the previous file is unchanged, no temporary left', () => {
    const { dir, file } = existing();
    let calls = 0;
    const e = failedWrite(file, {
      writeSync: (fd, buf, off, len) => {
        if (calls++ > 0) throw errnoError('ENOSPC', 'no space left on device', 'write');
        return writeSync(fd, buf, off, Math.min(len, 8192));
      },
    });
    expect(e.code).toBe('ENOSPC');
    expect(e.path).toBe(file);
    expect(e.message).toBe(`cannot write ${file}: no space left on device (ENOSPC); the previous file is unchanged`);
    expect(readFileSync(file, 'utf8')).toBe(OLD);
    onlyTarget(dir, file);
  });

  it('EACCES when creating the temporary file (injected: root bypasses permission bits in-process)', () => {
    const dir = tempDir('cellgrad-write-');
    const file = path.join(dir, 'new.json');
    const e = failedWrite(file, {
      openSync: () => {
        throw errnoError('EACCES', 'permission denied', 'open');
      },
    });
    expect(e.message).toBe(`cannot write ${file}: permission denied (EACCES); nothing was written`);
    expect(readdirSync(dir)).toStrictEqual([]);
  });

  it('EIO on fsync and a failed rename both leave the previous file and no temporary', () => {
    for (const fs of [
      {
        fsyncSync: () => {
          throw errnoError('EIO', 'i/o error', 'fsync');
        },
      },
      {
        renameSync: () => {
          throw errnoError('EXDEV', 'cross-device link not permitted', 'rename');
        },
      },
    ] satisfies Partial<WriteFs>[]) {
      const { dir, file } = existing();
      const e = failedWrite(file, fs);
      expect(e.message).toMatch(new RegExp(`^cannot write ${file.replace(/[.]/g, '\\.')}: .+ \\((EIO|EXDEV)\\); the previous file is unchanged$`));
      expect(readFileSync(file, 'utf8')).toBe(OLD);
      onlyTarget(dir, file);
    }
  });

  it('the cells package still exports writeFileAtomic, which is the same checked writer', () => {
    const { file } = existing();
    expect(writeFileAtomic(file, NEW)).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe(NEW);
  });
});

describe('writeFileSafely: real file system', () => {
  it('EISDIR: a directory at the target is refused before anything is written', () => {
    const dir = tempDir('cellgrad-write-');
    const target = path.join(dir, 'out.json');
    mkdirSync(target);
    const e = thrown(() => writeFileSafely(target, NEW)) as FileError;
    expect(e.code).toBe('EISDIR');
    expect(e.message).toBe(`cannot write ${target}: it is a directory (EISDIR); nothing was written`);
    expect(readdirSync(dir)).toStrictEqual(['out.json']);
  });

  it("temporaries of dead processes are removed on the next write; a live process's are kept", () => {
    const { dir, file } = existing();
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    const deadTemp = `.run.json.${dead}.1700000000000.tmp`; // the old naming (no counter) is recognised too
    const liveTemp = `.run.json.1.lr4x0-0.tmp`; // pid 1 is always running
    const otherFile = `.other.json.${dead}.1.tmp`;
    for (const t of [deadTemp, liveTemp, otherFile]) writeFileSync(path.join(dir, t), 'half a file');
    writeFileSafely(file, NEW);
    expect(readdirSync(dir).sort()).toStrictEqual([liveTemp, otherFile, 'run.json'].sort());
  });
});

describe('lockFile', () => {
  it('one holder at a time; released on release(); a lock held by a running pid names it', () => {
    const { file } = existing();
    const lock = lockFile(file, 'test');
    expect(JSON.parse(readFileSync(`${file}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, owner: 'test' });
    expect(thrown(() => lockFile(file)).message).toMatch(/this process \(pid \d+\) already holds/);
    lock.release();
    expect(readdirSync(path.dirname(file))).toStrictEqual(['run.json']);
    writeFileSync(`${file}.lock`, JSON.stringify({ pid: 1, owner: 'init', since: 'boot' }));
    const e = thrown(() => lockFile(file)) as FileError;
    expect(e.code).toBe('ELOCKED');
    expect(e.message).toBe(`${file} is in use by another process: pid 1 (init, since boot; lock file ${file}.lock); wait for it to finish or use another file`);
  });

  it('a lock left by a dead process, or an unreadable one, is taken over', () => {
    const { file } = existing();
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
    for (const stale of [JSON.stringify({ pid: dead, owner: 'killed', since: 'x' }), '']) {
      writeFileSync(`${file}.lock`, stale);
      const lock = lockFile(file, 'taker');
      expect(JSON.parse(readFileSync(`${file}.lock`, 'utf8'))).toMatchObject({ pid: process.pid, owner: 'taker' });
      lock.release();
    }
  });
});
