/**
 * Progress of `cellgrad train` on stderr: a cli-progress bar (iterations, loss, speed, ETA) on a
 * terminal; plain lines (`iteration 40/100  loss 0.1234  52.1 it/s  ETA 1s`) otherwise, every
 * `every` iterations, so logs stay readable.
 */
import cliProgress from 'cli-progress';

/** What the training loop reports. */
export interface TrainProgress {
  /** Record iteration `iteration`'s loss; `note` (e.g. `epoch 1.25`) is shown beside it. */
  update(iteration: number, loss: number, note?: string): void;
  /** Print a message above the bar (or as a line). */
  log(message: string): void;
  stop(): void;
}

/** A progress display for a run from `start` to `total` iterations (total = Infinity: time budget). */
export function trainProgress(start: number, total: number, every: number, stream: NodeJS.WriteStream = process.stderr): TrainProgress {
  const began = Date.now();
  const speed = (i: number) => (i - start) / Math.max((Date.now() - began) / 1000, 1e-9);
  const eta = (i: number) => (Number.isFinite(total) && i > start ? Math.round((total - i) / speed(i)) : NaN);
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: Number.isFinite(total)
          ? 'train [{bar}] {value}/{total} | loss {loss}{note} | {speed} it/s | ETA {etaText}'
          : 'train {value} it | loss {loss}{note} | {speed} it/s',
        hideCursor: true,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(Number.isFinite(total) ? total : 0, start, { loss: '-', note: '', speed: '-', etaText: '-' });
    return {
      update(i, loss, note) {
        const e = eta(i);
        bar.update(i, { loss: loss.toPrecision(4), note: note ? ` | ${note}` : '', speed: speed(i).toFixed(1), etaText: Number.isNaN(e) ? '-' : `${e}s` });
      },
      log(message) {
        stream.write(`\r\x1b[K${message}\n`);
      },
      stop: () => bar.stop(),
    };
  }
  return {
    update(i, loss, note) {
      if (i % every !== 0 && i !== total) return;
      const e = eta(i);
      stream.write(
        `iteration ${i}${Number.isFinite(total) ? `/${total}` : ''}  loss ${loss.toPrecision(4)}  ${speed(i).toFixed(1)} it/s${Number.isNaN(e) ? '' : `  ETA ${e}s`}${note ? `  ${note}` : ''}\n`,
      );
    },
    log: (message) => void stream.write(`${message}\n`),
    stop: () => {},
  };
}
