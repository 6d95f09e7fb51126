/**
 * The worker platform under Node (`#worker-platform` with the `node` condition): worker_threads,
 * evaluated from source, unref'd so an executable never keeps the process alive.
 */
import { Worker } from 'node:worker_threads';
import type { SpawnedWorker, WorkerData, WorkerPlatform } from './worker-platform.js';

/** Node's worker threads: always available; the main thread may block. */
export const workerPlatform: WorkerPlatform = {
  name: 'node worker_threads',
  available: () => true,
  canBlock: true,
  spawn(body: string, data: WorkerData): SpawnedWorker {
    const source = `${body}\nrun(require('node:worker_threads').workerData);\n`;
    const worker = new Worker(source, { eval: true, workerData: data });
    worker.unref();
    return { terminate: () => void worker.terminate() };
  },
};
