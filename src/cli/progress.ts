/**
 * The CLI's progress on stderr, from the engine's onProgress reports. On a terminal, one line
 * redrawn in place with a bar; otherwise (a log, a pipe) one line per stage of a long command, so
 * that a 224² occlusion never looks like a silent hang; `--quiet` silences both. Stdout never
 * carries progress: --json prints exactly one object there.
 */
import { formatProgress } from './format';

export type ProgressMode = 'bar' | 'lines' | 'off';

export interface Progress {
  show(done: number, total: number, message?: string): void;
  /** Erases the terminal's progress line before other output; a no-op otherwise. */
  clear(): void;
}

/** A terminal redraws at most this often: redrawing thousands of times a second costs more than the work it reports. */
const REDRAW_MS = 100;
/** Without a terminal, stages are printed once the command has run this long: quick commands stay silent. */
export const LONG_COMMAND_MS = 1000;
const BAR_WIDTH = 20;

/** The mode for a command: a bar on a terminal, lines otherwise, nothing with --quiet. */
export function progressMode(quiet: boolean, isTTY: boolean | undefined): ProgressMode {
  if (quiet) return 'off';
  return isTTY ? 'bar' : 'lines';
}

/** `message 42% [########............]`: formatProgress, then a bar where the total is known. */
export function progressBar(done: number, total: number, message?: string): string {
  const text = formatProgress(done, total, message);
  if (!(total > 0)) return text;
  const filled = Math.round((BAR_WIDTH * Math.min(done, total)) / total);
  return `${text} [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
}

/** A stage's name without its counters: "Hessian column 3/10" and "Hessian column 4/10" are one stage. */
function stageOf(message: string | undefined): string {
  return (message ?? '').replace(/\d+(\/\d+)?/g, '#');
}

export function progressReporter(mode: ProgressMode, write: (text: string) => void = (t) => process.stderr.write(t), now: () => number = Date.now): Progress {
  const started = now();
  if (mode === 'lines') {
    const printed = new Set<string>();
    return {
      show: (done, total, message) => {
        const stage = stageOf(message);
        if (printed.has(stage) || now() - started < LONG_COMMAND_MS) return;
        printed.add(stage);
        write(`model-lens: ${formatProgress(done, total, message)}\n`);
      },
      clear: () => {},
    };
  }
  let drawnAt = -Infinity;
  let drawn = false;
  return {
    show: (done, total, message) => {
      const t = now();
      if (mode === 'off' || (done < total && t - drawnAt < REDRAW_MS)) return;
      drawnAt = t;
      drawn = true;
      write(`\r\x1b[K${progressBar(done, total, message)}`);
    },
    clear: () => {
      if (drawn) write('\r\x1b[K');
      drawn = false;
    },
  };
}
