// Installs cellgrad as a user would and uses it: the packages are built (`tsc -b`, then the CommonJS
// build) and packed with `pnpm -r pack`; `npm install cellgrad` then runs in a fresh npm project
// against a local registry (local-registry.ts: the packed tarballs and the workspace's copies of the
// dependencies), offline and with a clean environment. One install is shared by every case: import
// from an ES module, require from CommonJS, strict type checks (nodenext and bundler resolution, no
// skipLibCheck) of the main entry and of `cellgrad/onnx`, a gradcheck of lstm, `npx cellgrad
// gradcheck lstm`, ONNX export without ONNX Runtime, and `npx cellgrad init research`, whose project
// installs vitest, TypeScript and fast-check from the same registry, type-checks, passes `npm test` and
// fails it with the gradcheck table on a wrong VJP; and it prints the installed size.
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, tempDir } from '../cli/helpers.js';
import { readmeExample, scriptExampleFolders } from '../docs/package-readmes.js';
import { SCAFFOLD_DEV_DEPENDENCIES } from '../../packages/cli/src/init/versions.js';
import { dependencyClosure, findPackage, packFolders, startRegistry, tarballsIn, type LocalRegistry } from './local-registry.js';

const PACKAGES = ['graph', 'autodiff', 'cells', 'viz', 'onnx', 'testing', 'cli'].map((p) => path.join(repoRoot, 'packages', p));
const tsc = path.join(repoRoot, 'node_modules/typescript/bin/tsc');
const npmCli = path.join(path.dirname(process.execPath), '../lib/node_modules/npm/bin/npm-cli.js');

/** The environment of a user's shell: no npm_* / pnpm settings inherited from the test runner. */
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|pnpm_|NODE_OPTIONS$|NODE_PATH$|VITEST|TSX_)/i.test(k)));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run `file args` in `cwd` with the clean environment (plus `env`); never rejects. */
function sh(file: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, [...args], { cwd, env: { ...cleanEnv(), ...env }, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

/** pnpm, as the test command was started (`pnpm test` sets npm_execpath), else from PATH. */
function pnpm(args: readonly string[], cwd: string): void {
  const exec = process.env.npm_execpath;
  const viaNode = exec !== undefined && /pnpm\.c?js$/.test(exec);
  execFileSync(viaNode ? process.execPath : 'pnpm', viaNode ? [exec, ...args] : [...args], { cwd, stdio: 'pipe' });
}

/** Kilobytes under `dir` (du -sk). */
const kilobytes = (dir: string): number => Number(execFileSync('du', ['-sk', dir]).toString().split('\t')[0]);

let work = '';
let project = '';
let registry: LocalRegistry | undefined;
let install: Run = { code: -1, stdout: '', stderr: 'not run' };
let npmArgs: string[] = [];

const GRADCHECK = `
  const cell = getBuiltinCell('lstm');
  const sizes = { input: 3, hidden: 4, batch: 2, steps: 3 };
  const report = gradcheck(unroll(cell, { ...sizes, dtype: 'float64' }), cellFeeds(cell, sizes, 1), { mode: 'fast' });
  console.log(JSON.stringify({ passed: report.passed, api: typeof saveCheckpoint, toOnnx: typeof toOnnx }));
`;

beforeAll(async () => {
  const t0 = Date.now();
  const lap = (what: string) => console.log(`install test: ${what} at ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  work = tempDir('cellgrad-install-');
  const tarballs = path.join(work, 'tarballs');
  const deps = path.join(work, 'deps');
  mkdirSync(tarballs);
  mkdirSync(deps);
  // What `pnpm build` does (incremental: the suite's type check has already emitted dist/).
  execFileSync(process.execPath, [tsc, '-b', ...PACKAGES], { cwd: repoRoot, stdio: 'pipe' });
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-cjs.mjs'), ...PACKAGES], { cwd: repoRoot, stdio: 'pipe' });
  lap('built');
  pnpm(['-r', '--filter', './packages/*', 'pack', '--pack-destination', tarballs], repoRoot);
  lap('packed');
  // Node's type declarations too: a TypeScript user on Node installs them beside cellgrad; and what a
  // project made by `cellgrad init` asks for besides cellgrad (vitest, TypeScript, fast-check).
  const typesNode = findPackage(repoRoot, '@types/node')!;
  const devTools = Object.keys(SCAFFOLD_DEV_DEPENDENCIES).map((name) => findPackage(repoRoot, name)!);
  const closure = dependencyClosure(PACKAGES, (n) => n === 'cellgrad' || n.startsWith('@cellgrad/'), [typesNode, ...devTools]);
  registry = await startRegistry([...tarballsIn(tarballs), ...(await packFolders(closure, deps))]);
  lap('registry up');
  project = path.join(work, 'project');
  mkdirSync(project);
  const typesVersion = (JSON.parse(readFileSync(path.join(typesNode, 'package.json'), 'utf8')) as { version: string }).version;
  const manifest = { name: 'my-experiments', version: '1.0.0', private: true, devDependencies: { '@types/node': typesVersion } };
  writeFileSync(path.join(project, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(work, 'npmrc'), '');
  npmArgs = ['--registry', registry.url, '--userconfig', path.join(work, 'npmrc'), '--cache', path.join(work, 'npm-cache')];
  install = await sh(process.execPath, [npmCli, 'install', 'cellgrad', ...npmArgs, '--no-audit', '--no-fund', '--no-update-notifier'], project);
  lap('installed');
}, 240_000);

afterAll(async () => {
  await registry?.close();
});

// The cases only read the shared install, so they run concurrently.
describe.concurrent('cellgrad installed from its tarballs with npm, offline', { timeout: 180_000 }, () => {
  it('installs without ONNX Runtime, downloading nothing', () => {
    expect(install.stderr).not.toMatch(/ERR!/);
    expect(install.code).toBe(0);
    expect(existsSync(path.join(project, 'node_modules/cellgrad/package.json'))).toBe(true);
    expect(existsSync(path.join(project, 'node_modules/onnxruntime-node'))).toBe(false);
    // The only packages npm asked for and did not get are optional ones (other platforms' binaries, optional peers).
    expect([...registry!.misses].filter((n) => !registry!.optional.has(n))).toEqual([]);
    const kb = kilobytes(path.join(project, 'node_modules'));
    console.log(`installed size of cellgrad without ONNX Runtime: ${(kb / 1024).toFixed(1)} MB (du -sk node_modules: ${kb} KiB)`);
    expect(kb).toBeGreaterThan(0);
  });

  it('imports from an ES module and runs a gradcheck of lstm', async () => {
    writeFileSync(
      path.join(project, 'esm.mjs'),
      `import { getBuiltinCell, unroll, gradcheck, cellFeeds, saveCheckpoint } from 'cellgrad';\nimport { toOnnx } from 'cellgrad/onnx';\n${GRADCHECK}`,
    );
    const r = await sh(process.execPath, ['esm.mjs'], project);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ passed: true, api: 'function', toOnnx: 'function' });
  });

  it('requires from CommonJS and runs a gradcheck of lstm', async () => {
    writeFileSync(
      path.join(project, 'cjs.cjs'),
      `const { getBuiltinCell, unroll, gradcheck, cellFeeds, saveCheckpoint } = require('cellgrad');
const onnxLoaded = Object.keys(require.cache).filter((f) => /@cellgrad[\\/\\\\]onnx|onnx-proto|onnxruntime/.test(f));
if (onnxLoaded.length > 0) throw new Error('require("cellgrad") loaded ' + onnxLoaded.join(', '));
const { toOnnx } = require('cellgrad/onnx');
${GRADCHECK}`,
    );
    const r = await sh(process.execPath, ['cjs.cjs'], project);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ passed: true, api: 'function', toOnnx: 'function' });
  });

  it('does not load @cellgrad/onnx from the main entry: the onnxruntime backend is registered only by cellgrad/onnx', async () => {
    writeFileSync(
      path.join(project, 'no-onnx.mjs'),
      `import { compile, getBuiltinCell, unroll } from 'cellgrad';
const g = unroll(getBuiltinCell('rnn_tanh'), { input: 2, hidden: 2, batch: 1, steps: 1 });
try { compile(g, { backend: 'onnxruntime' }); console.log('registered'); } catch (e) { console.log(e.message); }
await import('cellgrad/onnx');
const exe = compile(g, { backend: 'onnxruntime' });
console.log(typeof exe.run);
try { await exe.ready; } catch (e) { console.log(e.kind); }
`,
    );
    const r = await sh(process.execPath, ['no-onnx.mjs'], project);
    expect(r.stderr).toBe('');
    // Without ONNX Runtime installed the backend's executable reports it when awaited, not as an unhandled rejection.
    expect(r.stdout).toMatch(/^.*unknown backend 'onnxruntime'.*\nfunction\nusage\n$/);
  });

  it('exports ONNX without ONNX Runtime, and says how to install it when a session is asked for', async () => {
    writeFileSync(
      path.join(project, 'onnx.mjs'),
      `import { getBuiltinCell, unroll, cellFeeds } from 'cellgrad';
import { toOnnx, compileOnnx } from 'cellgrad/onnx';
const g = unroll(getBuiltinCell('gru'), { input: 3, hidden: 4, batch: 2, steps: 2 });
const bytes = toOnnx(g);
let error = '';
try { await compileOnnx(g); } catch (e) { error = e.kind + ': ' + e.message; }
console.log(JSON.stringify({ bytes: bytes.length, error }));
`,
    );
    const r = await sh(process.execPath, ['onnx.mjs'], project);
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { bytes: number; error: string };
    expect(out.bytes).toBeGreaterThan(100);
    expect(out.error).toMatch(/^usage: onnxruntime: ONNX Runtime is not installed; .*npm install onnxruntime-node/);
  });

  it('runs `npx cellgrad gradcheck lstm`, and a TypeScript cell file of the user', async () => {
    const npx = path.join(path.dirname(npmCli), 'npx-cli.js');
    const r = await sh(process.execPath, [npx, '--no-install', 'cellgrad', 'gradcheck', 'lstm', '--steps', '3', '--mode', 'fast'], project);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^gradcheck lstm: /);
    expect(r.stdout).toMatch(/PASSED: fast mode/);
    copyFileSync(path.join(repoRoot, 'examples/cells/minimal-gated-unit.ts'), path.join(project, 'mgu.ts'));
    const own = await sh(process.execPath, [npx, '--no-install', 'cellgrad', 'gradcheck', 'mgu.ts', '--steps', '2', '--mode', 'fast'], project);
    expect(own.stderr).toBe('');
    expect(own.stdout).toMatch(/^gradcheck mgu: [\s\S]*PASSED: fast mode/);
  });

  it('scaffolds a project with `npx cellgrad init` that installs, type-checks and passes npm test; a wrong VJP fails it with the table', async () => {
    const npx = path.join(path.dirname(npmCli), 'npx-cli.js');
    const made = await sh(process.execPath, [npx, '--no-install', 'cellgrad', 'init', 'research'], project);
    expect(made.stderr).toBe('');
    expect(made.code).toBe(0);
    const research = path.join(project, 'research');
    const version = (JSON.parse(readFileSync(path.join(repoRoot, 'packages/cli/package.json'), 'utf8')) as { version: string }).version;
    expect(JSON.parse(readFileSync(path.join(research, 'package.json'), 'utf8')).dependencies).toEqual({ cellgrad: `^${version}` });
    // What the README it writes says: npm install, npm test, npm run typecheck.
    const deps = await sh(process.execPath, [npmCli, 'install', ...npmArgs, '--no-audit', '--no-fund', '--no-update-notifier'], research);
    expect(deps.stderr).not.toMatch(/ERR!/);
    expect(deps.code).toBe(0);
    // vitest's toolchain came from the registry; only optional packages (other platforms' binaries) were missing.
    expect([...registry!.misses].filter((n) => !registry!.optional.has(n))).toEqual([]);
    const types = await sh(process.execPath, [npmCli, 'run', 'typecheck', ...npmArgs], research);
    expect(types.code, types.stdout + types.stderr).toBe(0);
    const noColor = { NO_COLOR: '1', FORCE_COLOR: '0' };
    const pass = await sh(process.execPath, [npmCli, 'test', ...npmArgs], research, noColor);
    expect(pass.code, pass.stdout + pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(/Tests\s+3 passed \(3\)/);

    // The mistake a researcher makes: the derivative of softsign without its square.
    const cellFile = path.join(research, 'src/cell.ts');
    const source = readFileSync(cellFile, 'utf8');
    expect(source).toContain('x!.abs().add(1).square()');
    writeFileSync(cellFile, source.replace('x!.abs().add(1).square()', 'x!.abs().add(1)'));
    const fail = await sh(process.execPath, [npmCli, 'test', ...npmArgs], research, noColor);
    expect(fail.code).not.toBe(0);
    expect(fail.stdout).toMatch(/Tests\s+3 failed \(3\)/);
    const output = fail.stdout + fail.stderr; // vitest reports failures on stderr
    expect(output).toContain("expected cell 'softsign_rnn' (input 3, hidden 4, batch 2, steps 4, layers 1; float64, seed 0) to pass gradcheck:");
    expect(output).toMatch(/order\s+input\s+shape\s+max abs err\s+max rel err\s+worst element\s+result/);
    expect(output).toMatch(/^\s*1\s+W\s+\[4,3\]\s.*step \d.*FAIL$/m);
    expect(output).toMatch(/FAILED: full mode, eps 1e-6, atol 1e-5, rtol 0\.001; 5 input\(s\) failed/);
  });

  const TYPED = `import { defineCell, linear, unroll, grad, gradcheck, cellFeeds, saveCheckpoint, type Cell } from 'cellgrad';
import { interpret, type Graph } from '@cellgrad/graph';
import { lstm } from '@cellgrad/cells';
import { loadWeights } from '@cellgrad/cells/node';
const mgu: Cell = defineCell({
  name: 'mgu',
  params: ({ input: I, hidden: H }) => ({ W: [2 * H, I], U: [2 * H, H], b: [2 * H] }),
  state: ({ hidden: H }) => ({ h: [H] }),
  step: ({ x, h }, { W, U, b }) => {
    const [Wf, Wn] = W.split(2, 0);
    const [Uf, Un] = U.split(2, 0);
    const [bf, bn] = b.split(2);
    const f = linear(x, Wf, bf).add(linear(h, Uf)).sigmoid();
    const n = linear(x, Wn, bn).add(linear(f.mul(h), Un)).tanh();
    return { h: f.oneMinus().mul(h).add(f.mul(n)) };
  },
});
const sizes = { input: 2, hidden: 3, batch: 1, steps: 2 };
const g: Graph = unroll(lstm, { ...sizes, dtype: 'float64' });
const ok: boolean = gradcheck(g, cellFeeds(lstm, sizes, 0)).passed;
const dg: Graph = grad(g, { of: 'h_T', cotangent: true });
export const used = [mgu, ok, dg, interpret, saveCheckpoint, loadWeights];
`;
  const TYPED_ONNX = `import { toOnnx, exportRecurrentOp, type OrtSession } from 'cellgrad/onnx';
import { compileOnnx } from '@cellgrad/onnx';
const bytes: Uint8Array = toOnnx(null as never);
export const used: [Uint8Array, typeof exportRecurrentOp, typeof compileOnnx, OrtSession | undefined] = [bytes, exportRecurrentOp, compileOnnx, undefined];
`;

  /** Type-check `sources` (file name → text) in `dir` with `moduleResolution` and strict options (no skipLibCheck); resolves tsc's output. */
  async function typecheck(dir: string, sources: Record<string, string>, resolution: 'nodenext' | 'bundler', types: string[] = ['node']): Promise<Run> {
    const at = path.join(project, dir);
    mkdirSync(at, { recursive: true });
    for (const [file, text] of Object.entries(sources)) writeFileSync(path.join(at, file), text);
    const options = {
      strict: true,
      noEmit: true,
      skipLibCheck: false,
      target: 'ES2022',
      module: resolution === 'nodenext' ? 'nodenext' : 'esnext',
      moduleResolution: resolution,
      types,
      lib: ['ES2022'],
    };
    writeFileSync(path.join(at, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: Object.keys(sources) }));
    return sh(process.execPath, [tsc, '-p', at], project);
  }

  it('type-checks under strict with nodenext (as an ES module and as CommonJS), without skipLibCheck', async () => {
    const r = await typecheck('ts-nodenext', { 'check.mts': TYPED, 'check.cts': TYPED }, 'nodenext');
    expect(r.stdout + r.stderr).toBe('');
  });

  it('type-checks under strict with bundler resolution, without skipLibCheck', async () => {
    const r = await typecheck('ts-bundler', { 'check.ts': TYPED }, 'bundler');
    expect(r.stdout + r.stderr).toBe('');
  });

  const TYPED_CORE = `import { interpret, compile, type Graph } from '@cellgrad/graph';
import { grad, gradcheck } from '@cellgrad/autodiff';
import { gru, unroll, cellFeeds, parseWeights, Trainer } from '@cellgrad/cells';
const sizes = { input: 2, hidden: 3, batch: 1, steps: 2 };
const g: Graph = grad(unroll(gru, { ...sizes, dtype: 'float64' }), { of: 'h_T', cotangent: true });
export const used = [g, interpret, compile, gradcheck, cellFeeds, parseWeights, Trainer];
`;

  it('type-checks the core packages (graph, autodiff, cells) without Node type declarations, as for a browser', async () => {
    const r = await typecheck('ts-core', { 'check.ts': TYPED_CORE }, 'bundler', []);
    expect(r.stdout + r.stderr).toBe('');
  });

  it('type-checks cellgrad/onnx under strict with nodenext, without skipLibCheck and without ONNX Runtime', async () => {
    const r = await typecheck('ts-onnx', { 'check.mts': TYPED_ONNX }, 'nodenext');
    expect(r.stdout + r.stderr).toBe('');
  });

  it.each(scriptExampleFolders(repoRoot))('runs the README example of packages/%s as installed', async (folder) => {
    const example = readmeExample(repoRoot, folder)!;
    writeFileSync(path.join(project, `readme-${folder}.mjs`), example.code);
    const r = await sh(process.execPath, [`readme-${folder}.mjs`], project);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(example.output);
  });

  it('ships a LICENSE and a README in every package', () => {
    for (const name of ['cellgrad', '@cellgrad/graph', '@cellgrad/autodiff', '@cellgrad/cells', '@cellgrad/viz', '@cellgrad/onnx']) {
      const dir = path.join(project, 'node_modules', name);
      expect(readFileSync(path.join(dir, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
      expect(existsSync(path.join(dir, 'README.md'))).toBe(true);
    }
  });
});
