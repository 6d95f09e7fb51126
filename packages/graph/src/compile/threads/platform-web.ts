/**
 * The worker platform of browsers (`#worker-platform` without the `node` condition): Web Workers
 * started from a Blob URL, receiving the plan's modules, scripts and shared memory by `postMessage`. Shared
 * WebAssembly memory needs a cross-origin isolated page (COOP and COEP headers); elsewhere, and where
 * there are no workers at all, `available()` is false and plans run on one thread.
 */
import type { SpawnedWorker, WorkerData, WorkerPlatform } from './worker-platform.js';

/** The parts of the Web Worker API used here (this package compiles without DOM types). */
interface WebWorker {
  postMessage(message: unknown): void;
  terminate(): void;
}
interface WebGlobals {
  readonly crossOriginIsolated?: boolean;
  readonly Worker?: new (url: string, options?: { name?: string }) => WebWorker;
  readonly Blob?: new (parts: string[], options: { type: string }) => object;
  readonly URL: { createObjectURL?(blob: object): string; revokeObjectURL?(url: string): void };
  readonly WorkerGlobalScope?: unknown;
}

const web = globalThis as unknown as WebGlobals;

/** Web Workers with SharedArrayBuffer when the page is cross-origin isolated. */
export const workerPlatform: WorkerPlatform = {
  name: 'web workers',
  available: () =>
    web.crossOriginIsolated === true && typeof web.Worker === 'function' && typeof web.Blob === 'function' && typeof web.URL.createObjectURL === 'function',
  // A page's main thread may not call Atomics.wait; a worker (where cellgrad usually runs) may.
  canBlock: web.WorkerGlobalScope !== undefined,
  spawn(body: string, data: WorkerData): SpawnedWorker {
    const source = `${body}\nself.onmessage = (e) => { self.onmessage = null; run(e.data); };\n`;
    const url = web.URL.createObjectURL!(new web.Blob!([source], { type: 'text/javascript' }));
    const worker = new web.Worker!(url, { name: 'cellgrad-worker' });
    worker.postMessage(data);
    return {
      terminate: () => {
        worker.terminate();
        web.URL.revokeObjectURL?.(url);
      },
    };
  },
};
