/**
 * The walls of the house, checked by dependency-cruiser (`pnpm lint:deps`):
 *  1. no import circle anywhere in packages/<pkg>/src (type-only imports are erased by TypeScript and do not count);
 *  2. packages import each other only downwards: graph ← autodiff ← cells ← viz, onnx, testing ← cli;
 *  3. inside packages/graph/src, each layer imports only the layers below it (type-only imports exempt),
 *     in the order written in docs/architecture.md ("The layers of @cellgrad/graph");
 *  4. the core entries (graph, autodiff, cells) never reach the Node-only file I/O modules, which only the
 *     Node entries (@cellgrad/graph/io, @cellgrad/cells/node) export.
 */
const SRC = '^packages/graph/src/';

/** packages/graph/src folders, lowest first. `io` (Node file writing) sits beside them and may use only `ir`. */
const GRAPH_LAYERS = ['ir', 'util', 'ops', 'trace', 'exec', 'analysis', 'passes', 'compile'];

/** Inside compile/: subfolders lowest first; `root` is compile/*.ts (compile, executable, external backends). */
const COMPILE_LAYERS = ['js', 'schedule', 'threads', 'wasm', 'root'];
const compilePath = (layer) => (layer === 'root' ? `${SRC}compile/[^/]+$` : `${SRC}compile/${layer}/`);

/** Package order, lowest first; packages on one rung (viz, onnx, testing) may not import each other. */
const PACKAGE_RUNGS = [['graph'], ['autodiff'], ['cells'], ['viz', 'onnx', 'testing'], ['cli']];

const runtimeOnly = { dependencyTypesNot: ['type-only'] };

/** Modules that read or write files (node:fs, node:path, node:url, node:zlib): reachable only from the Node entries. */
const NODE_ONLY = [
  '^packages/graph/src/io/',
  '^packages/cells/src/node\\.ts$',
  '^packages/cells/src/train/checkpoint\\.ts$',
  '^packages/cells/src/weights/json\\.ts$',
  '^packages/cells/src/reference/(load|check-file)\\.ts$',
  '^packages/cells/src/data/',
  '^packages/cells/src/tasks/(fashion|fortunes-chars|registry)\\.ts$',
];

const layerRules = GRAPH_LAYERS.map((layer, i) => ({
  name: `graph-layer-${layer}`,
  comment: `packages/graph/src/${layer} may import only ${GRAPH_LAYERS.slice(0, i).join(', ') || 'itself'} (type-only imports exempt)`,
  severity: 'error',
  from: { path: `${SRC}${layer}/` },
  to: { path: `${SRC}(${[...GRAPH_LAYERS.slice(i + 1), 'io', 'index\\.ts$'].join('|')})`, ...runtimeOnly },
}));

const compileRules = COMPILE_LAYERS.slice(0, -1).map((layer, i) => ({
  name: `compile-layer-${layer}`,
  comment: `compile/${layer} may import only the compile subfolders below it: ${COMPILE_LAYERS.slice(0, i).join(', ') || 'none'}`,
  severity: 'error',
  from: { path: compilePath(layer) },
  to: { path: COMPILE_LAYERS.slice(i + 1).map(compilePath), ...runtimeOnly },
}));

const packageRules = PACKAGE_RUNGS.flatMap((rung, i) =>
  rung.map((pkg) => {
    const forbidden = [...PACKAGE_RUNGS.slice(i + 1).flat(), ...rung.filter((p) => p !== pkg)];
    return {
      name: `package-order-${pkg}`,
      comment: `@cellgrad/${pkg} may not import ${forbidden.join(', ') || 'anything above it'}`,
      severity: 'error',
      from: { path: `^packages/${pkg}/src/` },
      to: { path: `^packages/(${forbidden.join('|')})/` },
    };
  }),
).filter((r) => !r.to.path.endsWith('()/'));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'no import circle inside packages/*/src (type-only imports are erased at compile time and do not count)',
      severity: 'error',
      from: { path: '^packages/[^/]+/src/' },
      to: { circular: true, viaOnly: runtimeOnly },
    },
    {
      name: 'graph-io-only-ir',
      comment: 'packages/graph/src/io (Node-only file writing) may import only ir',
      severity: 'error',
      from: { path: `${SRC}io/` },
      to: { path: `${SRC}(${GRAPH_LAYERS.filter((l) => l !== 'ir').join('|')}|index\\.ts$)`, ...runtimeOnly },
    },
    {
      name: 'core-without-node-io',
      comment:
        'the core entries of graph, autodiff and cells must not reach the Node-only file I/O (export it from @cellgrad/cells/node or @cellgrad/graph/io)',
      severity: 'error',
      from: { path: '^packages/(graph|autodiff|cells)/src/index\\.ts$' },
      to: { path: NODE_ONLY, reachable: true },
    },
    ...layerRules,
    ...compileRules,
    ...packageRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|cjs|node_modules)/' },
    includeOnly: '^packages/[^/]+/src/',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.base.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['@cellgrad/source', 'import', 'types', 'default'],
      extensions: ['.ts', '.js', '.mjs'],
      mainFields: ['module', 'main', 'types'],
    },
  },
};
