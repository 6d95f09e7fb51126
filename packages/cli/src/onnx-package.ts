/**
 * The CLI's ONNX commands load `@cellgrad/onnx` on demand (dynamic `import()`), so every other
 * command runs without it and its protobuf code; a missing package is a usage error saying what to install.
 */
import { usage } from './errors.js';

/** The `@cellgrad/onnx` module, as `import('@cellgrad/onnx')` gives it. */
export type OnnxModule = typeof import('@cellgrad/onnx');

/** True when `e` is Node's "cannot find package" for `name` itself. */
function packageMissing(e: unknown, name: string): boolean {
  const err = e as NodeJS.ErrnoException;
  return (err?.code === 'ERR_MODULE_NOT_FOUND' || err?.code === 'MODULE_NOT_FOUND') && String(err.message).includes(`'${name}'`);
}

/**
 * Import `@cellgrad/onnx` for `command` (named in the error when it is not installed). `load` is the
 * import itself (a test passes one that fails).
 * @example
 * const { toOnnx } = await loadOnnxPackage('export');
 */
export async function loadOnnxPackage(command: string, load: () => Promise<OnnxModule> = () => import('@cellgrad/onnx')): Promise<OnnxModule> {
  try {
    return await load();
  } catch (e) {
    if (!packageMissing(e, '@cellgrad/onnx')) throw e;
    return usage(`${command} needs the package @cellgrad/onnx, which is not installed (npm install @cellgrad/onnx)`);
  }
}
