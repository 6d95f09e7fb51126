/**
 * cellgrad — the umbrella package a user installs. It re-exports the public API of every cellgrad
 * package (IR, ops and interpreter; autodiff and gradcheck; cells, with their Node-only file I/O from
 * `@cellgrad/cells/node`; visualisation) under one name, so a cell file needs only
 * `import { defineCell, sigmoid } from 'cellgrad'`. ONNX export and ONNX Runtime are the subpath
 * `cellgrad/onnx` (not loaded by this entry). The packages export disjoint names; the type checker
 * rejects any collision (TS2308), to be resolved here explicitly.
 */
export * from '@cellgrad/graph';
export * from '@cellgrad/autodiff';
export * from '@cellgrad/cells';
export * from '@cellgrad/cells/node';
export * from '@cellgrad/viz';
