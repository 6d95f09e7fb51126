/**
 * Running a measurement job in a child process (bench/child.ts) from `pnpm bench`: the child's
 * stderr (what it is doing) passes through, a line every few seconds says it is still at work, and a
 * child that runs past the timeout is stopped and reported as skipped instead of hanging the run.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseError, parseResult, type Job, type JobResult } from './job.js';

/** The child's result, or why there is none (timed out, failed). */
export type Outcome = { readonly ok: true; readonly result: JobResult } | { readonly ok: false; readonly why: string };

const CHILD = fileURLToPath(new URL('./child.ts', import.meta.url));

/**
 * Run `job` in a child Node with this process's loader flags (tsx and the source condition), stop it
 * after `timeoutMs`, and print "still at work" to stderr every `tickMs` (default 5 s; three times as
 * far apart after the first 30 s).
 */
export function runJob(job: Job, options: { readonly timeoutMs: number; readonly tickMs?: number; readonly label: string }): Promise<Outcome> {
  const started = performance.now();
  const child = spawn(process.execPath, [...process.execArgv, CHILD, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
  });
  const seconds = () => Math.round((performance.now() - started) / 1000);
  return new Promise((resolve) => {
    let timedOut = false;
    // "Still at work" every tickMs for the first half minute, then every three ticks.
    const every = options.tickMs ?? 5000;
    let tick: ReturnType<typeof setTimeout>;
    const schedule = () => {
      tick = setTimeout(
        () => {
          process.stderr.write(`  ... ${options.label}: ${seconds()} s\n`);
          schedule();
        },
        performance.now() - started < 30_000 ? every : 3 * every,
      );
    };
    schedule();
    const timer = setTimeout(() => {
      timedOut = true;
      process.stderr.write(`  ${options.label}: stopped after ${seconds()} s (--timeout ${options.timeoutMs / 1000})\n`);
      child.kill('SIGKILL');
    }, options.timeoutMs);
    const done = (outcome: Outcome) => {
      clearTimeout(tick);
      clearTimeout(timer);
      resolve(outcome);
    };
    child.on('error', (e) => done({ ok: false, why: `could not start: ${e.message}` }));
    child.on('close', (code, signal) => {
      if (timedOut) return done({ ok: false, why: `timeout after ${options.timeoutMs / 1000} s` });
      const result = code === 0 ? parseResult(stdout) : undefined;
      if (result) return done({ ok: true, result });
      const error = parseError(stdout);
      done({ ok: false, why: signal ? `killed by ${signal}` : error !== undefined ? `failed: ${error}` : `failed (exit ${code}; its error is above)` });
    });
  });
}
