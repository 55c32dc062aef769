/**
 * The pace of a `nin-sdk train` run, for the status line after each epoch: a run takes hours, is often left
 * running with its output in a file (where no progress bar is drawn), and its user wants to know when it ends.
 * Measured on the wall clock since this process started, so evaluation and checkpoint writing count too.
 */
export class TrainingPace {
  private readonly started: number;
  private images = 0;

  /** `remainingImages`: training images left in the whole run when this process starts (all epochs). */
  constructor(
    private remainingImages: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  /** A batch of `images` has been trained on. */
  record(images: number): void {
    this.images += images;
    this.remainingImages = Math.max(0, this.remainingImages - images);
  }

  /** "58.1 images/s, about 6 h 27 min to go" (or "…, done" when nothing is left). */
  describe(): string {
    const seconds = (this.now() - this.started) / 1000;
    if (seconds <= 0 || this.images === 0) return 'no batch trained yet';
    const rate = this.images / seconds;
    const rest = this.remainingImages === 0 ? 'done' : `about ${formatDuration(this.remainingImages / rate)} to go`;
    return `${rate.toFixed(1)} images/s, ${rest}`;
  }
}

/** A coarse human duration: "45 s", "12 min", "6 h 07 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
