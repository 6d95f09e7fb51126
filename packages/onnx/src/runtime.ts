/**
 * ONNX Runtime, loaded on first use: `onnxruntime-node` is an optional peer dependency of this
 * package, so exporting (`toOnnx`, `exportRecurrentOp`) works without it, and only opening a session
 * (or building an ORT tensor) needs it installed. Loaded with `require` so the tensor helpers stay
 * synchronous; a missing package is a usage error that says how to install it.
 */
import { createRequire } from 'node:module';
import type * as Ort from 'onnxruntime-node';
import { CellgradError } from '@cellgrad/graph';

let loaded: typeof Ort | undefined;

/** True when `e` is Node's "module not found" for `name` itself (not for one of its own imports). */
function missing(e: unknown, name: string): boolean {
  const err = e as NodeJS.ErrnoException;
  return (err?.code === 'MODULE_NOT_FOUND' || err?.code === 'ERR_MODULE_NOT_FOUND') && String(err.message).includes(`'${name}'`);
}

/**
 * The `onnxruntime-node` module, loaded once. Throws a usage `CellgradError` when it is not installed.
 * @example
 * const ort = onnxRuntime(); // then ort.InferenceSession.create(bytes)
 */
export function onnxRuntime(): typeof Ort {
  if (loaded) return loaded;
  try {
    loaded = createRequire(import.meta.url)('onnxruntime-node') as typeof Ort;
  } catch (e) {
    if (!missing(e, 'onnxruntime-node')) throw e;
    const err = new CellgradError(
      'usage',
      'onnxruntime: ONNX Runtime is not installed; running ONNX models needs `npm install onnxruntime-node` ' +
        '(an optional peer dependency of @cellgrad/onnx: toOnnx and exportRecurrentOp work without it)',
    );
    err.cause = e;
    throw err;
  }
  return loaded;
}
