/**
 * Progress on stderr: a cli-progress bar (cells done, current cell, ETA) on a terminal, one line per
 * finished cell otherwise (CI logs, pipes).
 */
import cliProgress from 'cli-progress';

export interface Progress {
  start(cellId: string): void;
  done(cellId: string, status: string, wallS: number): void;
  stop(): void;
}

export function createProgress(total: number, alreadyDone: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream,
        format: 'cells {bar} {value}/{total} | ETA {eta_formatted} | {cell}',
        etaBuffer: 8,
        hideCursor: false, // a Ctrl-C ends the run where it stands (its cells resume), and left the terminal's cursor hidden
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, alreadyDone, { cell: '' });
    return {
      start: (cell) => bar.update({ cell }),
      done: (cell, status) => bar.increment(1, { cell: `${cell} → ${status}` }),
      stop: () => bar.stop(),
    };
  }
  let n = alreadyDone;
  return {
    start: () => {},
    done: (cell, status, wallS) => {
      n++;
      stream.write(`[${n}/${total}] ${cell} → ${status} (${wallS.toFixed(1)} s)\n`);
    },
    stop: () => {},
  };
}
