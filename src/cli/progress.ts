/**
 * A one-line progress bar on stderr, redrawn in place; silent when stderr is not a terminal (logs and pipes
 * get no carriage-return noise) or when the job is too small to need one.
 */
export class ProgressBar {
  private readonly enabled: boolean;
  private readonly started = performance.now();
  private lastDraw = 0;

  constructor(
    private readonly total: number,
    private readonly label: string,
    minimum = 20,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    this.enabled = stream.isTTY === true && total >= minimum;
  }

  update(done: number): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (done < this.total && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const width = 30;
    const filled = Math.round((width * done) / this.total);
    const rate = done / ((now - this.started) / 1000);
    this.stream.write(
      `\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} ${rate.toFixed(0)}/s `,
    );
  }

  finish(): void {
    if (this.enabled) this.stream.write('\r\x1b[K');
  }
}
