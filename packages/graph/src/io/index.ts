/**
 * @cellgrad/graph/io — the Node-only file helpers every cellgrad package writes files with: safe
 * writes (`writeFileSafely`: never a half-written file, errors naming the file and the errno) and
 * exclusive locks on a path (`lockFile`). Kept out of the main entry so the IR stays browser-bundleable.
 */
export { FileError } from './file-error.js';
export { processAlive } from './process-alive.js';
export { lockFile, type FileLock } from './file-lock.js';
export { removeStaleTemps, writeFileSafely, type WriteFileOptions, type WriteFs } from './write-file.js';
