/**
 * Registers ONNX Runtime as an execution backend of `compile`: after importing this package,
 * `compile(g, { backend: 'onnxruntime', dtype })` returns an executable whose `run` resolves to the
 * same outputs `interpret` gives, computed by ONNX Runtime.
 */
import { registerBackend, type AsyncExecutable, type Outputs } from '@cellgrad/graph';
import { compileOnnx, type CompileOnnxOptions } from './compile-onnx.js';

declare module '@cellgrad/graph' {
  interface ExternalBackends {
    /** ONNX Runtime (CPU), through `@cellgrad/onnx`. */
    onnxruntime: true;
  }
}

registerBackend('onnxruntime', {
  compile(g, dtype, options): AsyncExecutable {
    const ortOptions: CompileOnnxOptions = {
      dtype,
      intraOpNumThreads: typeof options.threads === 'number' ? options.threads : 1,
      optimize: options.optimize !== false,
    };
    const pending = compileOnnx(g, ortOptions);
    const ready = pending.then(() => undefined);
    // Keep a rejection (ONNX Runtime not installed, a model it refuses) from going unhandled before
    // anyone awaits it, which would end the process; `run` and `ready` still see it.
    pending.catch(() => undefined);
    ready.catch(() => undefined);
    return {
      dtype,
      ready,
      run: async (feeds): Promise<Outputs> => (await pending).run(feeds),
      release: async () => (await pending).release(),
    };
  },
});
