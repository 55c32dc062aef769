import { stderrIsTerminal } from './native-stderr.js';

/**
 * A one-line progress bar on stderr, redrawn in place; silent when stderr is not a terminal (logs and pipes
 * get no carriage-return noise) or when the job is too small to need one.
 */
export class ProgressBar {
  private readonly enabled: boolean;
  private readonly stream: NodeJS.WriteStream;
  /** Where the rate is measured from: the start, and again whenever `done` goes back (a new epoch). */
  private since: { time: number; done: number };
  private lastDone: number;
  private lastDraw = -Infinity;

  /**
   * `minimum`: fewer items than this get no bar (default 20). `startAt`: items already done before this process
   * (a resumed run), left out of the rate.
   */
  constructor(
    private readonly total: number,
    private readonly label: string,
    options: { readonly minimum?: number; readonly startAt?: number; readonly stream?: NodeJS.WriteStream } = {},
  ) {
    this.stream = options.stream ?? process.stderr;
    const terminal = options.stream === undefined ? stderrIsTerminal() : this.stream.isTTY === true;
    this.enabled = terminal && total >= (options.minimum ?? 20);
    this.lastDone = options.startAt ?? 0;
    this.since = { time: performance.now(), done: this.lastDone };
  }

  update(done: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    // Each epoch of a training run counts again from 0 (drawn at once, so the full bar does not linger).
    const restarted = done < this.lastDone;
    if (restarted) this.since = { time: now, done };
    this.lastDone = done;
    if (!restarted && done < this.total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 30;
    // A total that was an estimate must not break the bar (String.repeat throws on a negative count).
    const filled = Math.min(width, Math.max(0, Math.round((width * done) / this.total)));
    const elapsed = (now - this.since.time) / 1000;
    const rate = done > this.since.done && elapsed > 0 ? (done - this.since.done) / elapsed : undefined;
    this.stream.write(
      `\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${formatRate(rate)} `,
    );
  }

  finish(): void {
    if (this.enabled) this.stream.write('\r\x1b[K');
  }
}

/**
 * Items a second for the bar: '…' while nothing has been measured yet (a rate of 0 would read as stalled), one
 * decimal below 10 (a training step of a few seconds is 0.3/s, not 0/s), whole numbers above.
 */
export function formatRate(rate: number | undefined): string {
  if (rate === undefined) return '…';
  return `${rate < 10 ? rate.toFixed(1) : rate.toFixed(0)}/s`;
}
