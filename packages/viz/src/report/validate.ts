/**
 * Checking report data that came from a file: each section must have the documented shape, and an
 * error names the first place that does not (`lossCurves[1].points[3]: expected [iteration, loss]`).
 */
import { CellgradError } from '@cellgrad/graph';
import type { ReportData } from './types.js';

/** A malformed `ReportData`: a `CellgradError` of kind `usage` (bad input). */
export class ReportDataError extends CellgradError {
  /** An error whose `message` names the field of the report data and what is wrong with it. */
  constructor(message: string) {
    super('usage', `report data: ${message}`);
    this.name = 'ReportDataError';
  }
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNum = (v: unknown): v is number => typeof v === 'number' && !Number.isNaN(v);
const isNumArray = (v: unknown): v is number[] => Array.isArray(v) && v.every(isNum);

function need(ok: boolean, where: string, what: string): void {
  if (!ok) throw new ReportDataError(`${where}: expected ${what}`);
}

function list(v: unknown, where: string): unknown[] {
  need(Array.isArray(v), where, 'an array');
  return v as unknown[];
}

function checkFlow(v: unknown, where: string): void {
  need(isObj(v), where, 'an object { name, norms, byIteration?, iterations? }');
  const s = v as Record<string, unknown>;
  need(typeof s.name === 'string', `${where}.name`, 'a string');
  need(isNumArray(s.norms), `${where}.norms`, 'an array of numbers');
  if (s.byIteration !== undefined)
    list(s.byIteration, `${where}.byIteration`).forEach((r, i) => need(isNumArray(r), `${where}.byIteration[${i}]`, 'an array of numbers'));
  if (s.iterations !== undefined)
    need(
      isNumArray(s.iterations) && s.iterations.length === (s.byIteration as unknown[] | undefined)?.length,
      `${where}.iterations`,
      'one number per row of byIteration',
    );
}

function checkGradcheck(v: unknown, where: string): void {
  need(isObj(v), where, 'a gradcheck row { input, maxAbsError, passed } or { cell, report }');
  const e = v as Record<string, unknown>;
  if (isObj(e.report)) {
    list(e.report.orders, `${where}.report.orders`).forEach((o, i) => {
      need(isObj(o), `${where}.report.orders[${i}]`, 'an object { order, inputs }');
      list((o as Record<string, unknown>).inputs, `${where}.report.orders[${i}].inputs`).forEach((r, j) => {
        const w = `${where}.report.orders[${i}].inputs[${j}]`;
        need(isObj(r) && typeof r.name === 'string' && isNum(r.maxAbsError) && typeof r.passed === 'boolean', w, '{ name, maxAbsError, passed }');
      });
    });
    return;
  }
  need(typeof e.input === 'string' && isNum(e.maxAbsError) && typeof e.passed === 'boolean', where, 'a gradcheck row { input, maxAbsError, passed }');
}

function checkGraph(v: unknown, where: string): void {
  need(isObj(v) && typeof v.title === 'string', where, 'an object with a string title');
  const g = v as Record<string, unknown>;
  const given = ['graph', 'dot', 'svg'].filter((k) => g[k] !== undefined);
  need(given.length === 1, where, `exactly one of graph, dot, svg (got ${given.length ? given.join(', ') : 'none'})`);
  if (g.graph !== undefined)
    need(isObj(g.graph) && Array.isArray(g.graph.nodes) && Array.isArray(g.graph.outputs), `${where}.graph`, 'a graph { nodes, inputs, outputs }');
  if (g.dot !== undefined) need(typeof g.dot === 'string', `${where}.dot`, 'DOT text');
  if (g.svg !== undefined) need(typeof g.svg === 'string', `${where}.svg`, 'SVG text');
}

function checkDynamics(v: unknown, where: string): void {
  need(isObj(v) && typeof v.name === 'string', where, 'an object { name, points, lyapunov? }');
  const s = v as Record<string, unknown>;
  list(s.points, `${where}.points`).forEach((p, i) => {
    const w = `${where}.points[${i}]`;
    need(isObj(p) && (p.kind === 'fixed' || p.kind === 'slow') && isNum(p.q), w, "{ kind: 'fixed' | 'slow', q, eigenvalues }");
    list((p as Record<string, unknown>).eigenvalues, `${w}.eigenvalues`).forEach((e, j) =>
      need(isObj(e) && isNum(e.re) && isNum(e.im), `${w}.eigenvalues[${j}]`, '{ re, im }'),
    );
  });
  if (s.lyapunov !== undefined) need(isNumArray(s.lyapunov), `${where}.lyapunov`, 'an array of numbers');
  for (const k of ['caption', 'lyapunovCaption']) if (s[k] !== undefined) need(typeof s[k] === 'string', `${where}.${k}`, 'a string');
}

/** Check that `value` is a `ReportData`; throws a `ReportDataError` naming the first bad field. */
export function checkReportData(value: unknown): ReportData {
  need(isObj(value), 'the data', 'an object { title?, graphs?, lossCurves?, flow?, gradcheck?, bench?, dynamics? }');
  const d = value as Record<string, unknown>;
  for (const k of ['title', 'subtitle']) if (d[k] !== undefined) need(typeof d[k] === 'string', k, 'a string');
  if (d.graphs !== undefined) list(d.graphs, 'graphs').forEach((g, i) => checkGraph(g, `graphs[${i}]`));
  if (d.lossCurves !== undefined) {
    list(d.lossCurves, 'lossCurves').forEach((c, i) => {
      need(isObj(c) && typeof c.name === 'string', `lossCurves[${i}]`, 'an object { name, points }');
      list((c as Record<string, unknown>).points, `lossCurves[${i}].points`).forEach((p, j) =>
        need(isNumArray(p) && p.length === 2, `lossCurves[${i}].points[${j}]`, '[iteration, loss]'),
      );
    });
  }
  if (d.flow !== undefined) list(d.flow, 'flow').forEach((s, i) => checkFlow(s, `flow[${i}]`));
  if (d.gradcheck !== undefined) list(d.gradcheck, 'gradcheck').forEach((e, i) => checkGradcheck(e, `gradcheck[${i}]`));
  if (d.bench !== undefined) list(d.bench, 'bench').forEach((r, i) => need(isObj(r), `bench[${i}]`, 'an object of columns'));
  if (d.dynamics !== undefined) list(d.dynamics, 'dynamics').forEach((s, i) => checkDynamics(s, `dynamics[${i}]`));
  return value as ReportData;
}
