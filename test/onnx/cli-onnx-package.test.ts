// The CLI's `export` loads @cellgrad/onnx on demand: a missing package is a one-line usage error
// saying what to install (any other failure is not disguised as one), and the default opset the CLI
// shows in --help without importing the package is the package's own.
import { describe, expect, it } from 'vitest';
import { DEFAULT_OPSET } from '@cellgrad/onnx';
import { CliError } from '../../packages/cli/src/errors.js';
import { EXPORT_DEFAULT_OPSET } from '../../packages/cli/src/commands/export.js';
import { loadOnnxPackage } from '../../packages/cli/src/onnx-package.js';

const notFound = (name: string): Error =>
  Object.assign(new Error(`Cannot find package '${name}' imported from /somewhere/export.js`), { code: 'ERR_MODULE_NOT_FOUND' });

describe('loadOnnxPackage', () => {
  it('loads @cellgrad/onnx', async () => {
    const onnx = await loadOnnxPackage('cellgrad export');
    expect(typeof onnx.toOnnx).toBe('function');
  });

  it('turns a missing @cellgrad/onnx into a usage error naming the command and the package to install', async () => {
    const load = loadOnnxPackage('cellgrad export', () => Promise.reject(notFound('@cellgrad/onnx')));
    await expect(load).rejects.toBeInstanceOf(CliError);
    await expect(loadOnnxPackage('cellgrad export', () => Promise.reject(notFound('@cellgrad/onnx')))).rejects.toThrow(
      'cellgrad export needs the package @cellgrad/onnx, which is not installed (npm install @cellgrad/onnx)',
    );
  });

  it('passes on any other failure (a broken dependency of the package) unchanged', async () => {
    const other = notFound('onnx-proto');
    await expect(loadOnnxPackage('cellgrad export', () => Promise.reject(other))).rejects.toBe(other);
  });

  it('shows the package default opset in --help', () => {
    expect(EXPORT_DEFAULT_OPSET).toBe(DEFAULT_OPSET);
  });
});
