// The matmul pool's platform seam (`#worker-platform`): with a platform that has no shared-memory
// workers (a browser page that is not cross-origin isolated) `threads: 2` runs on one thread with
// the same numbers; a platform whose workers cannot start gives a clear usage error, not a crash.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { buildGraph, compile, type Graph } from '@cellgrad/graph';

const platform = vi.hoisted(() => ({ available: true, failSpawn: false }));

vi.mock('../../packages/graph/src/compile/threads/platform-node.ts', async (importOriginal) => {
  const real = (await importOriginal()) as typeof import('../../packages/graph/src/compile/threads/platform-node.js');
  return {
    workerPlatform: {
      ...real.workerPlatform,
      name: 'test platform',
      available: () => platform.available,
      spawn: (body: string, data: never) => {
        if (platform.failSpawn) throw new Error('workers are blocked here');
        return real.workerPlatform.spawn(body, data);
      },
    },
  };
});

function product(): Graph {
  return buildGraph(
    (b) => {
      const a = b.input('a', [64, 128]);
      const w = b.input('w', [128, 256]);
      return { y: a.matmul(w) };
    },
    { dtype: 'float32' },
  );
}

const fill = (n: number, s: number) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * s));
const feeds = { a: { shape: [64, 128], data: fill(64 * 128, 0.37) }, w: { shape: [128, 256], data: fill(128 * 256, 0.11) } };

beforeEach(() => {
  platform.available = true;
  platform.failSpawn = false;
});

describe('the worker platform seam', () => {
  it('uses the platform: two threads where it has workers, the same numbers on one where it has none', () => {
    const g = product();
    const two = compile(g, { threads: 2 });
    expect(two.stats.matmulKernel).toMatch(/2 threads/);
    const y2 = Float32Array.from(two.run(feeds).y!.data);
    two.dispose();
    platform.available = false;
    const one = compile(product(), { threads: 2 });
    expect(one.stats.matmulKernel).not.toMatch(/threads/);
    expect(Array.from(one.run(feeds).y!.data)).toEqual(Array.from(y2));
  });

  it('a worker that cannot start is a usage error naming the platform', () => {
    platform.failSpawn = true;
    expect(() => compile(product(), { threads: 2 })).toThrow(
      /compile: could not start worker thread 1 on test platform \(workers are blocked here\); compile with threads: 1/,
    );
  });
});
