/**
 * Progress of long checks on stderr: one percentage line, rewritten in place, only when stderr is a
 * terminal (nothing at all otherwise, so logs and pipes stay clean).
 */

/** A progress sink: `update(done, total)` while working, `end()` when finished. */
export interface Progress {
  update(done: number, total: number): void;
  end(): void;
}

/** A progress line labelled `label` on `stream` (a no-op unless the stream is a TTY). */
export function progressLine(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (!stream.isTTY) return { update: () => {}, end: () => {} };
  let last = -1;
  let shown = false;
  let lastTime = 0;
  return {
    update(done, total) {
      const pct = total > 0 ? Math.min(100, Math.floor((100 * done) / total)) : 0;
      const now = Date.now();
      if (pct === last || now - lastTime < 100) return;
      last = pct;
      lastTime = now;
      shown = true;
      stream.write(`\r${label} ${pct}%\x1b[K`);
    },
    end() {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
