/**
 * Pixels being decoded at once, across every request: each image takes its share (width × height, from its header)
 * before it is decoded and gives it back once it is a tensor. Without it, 256 parts of 100 megapixels each, or many
 * requests of one such image, would all be decoded at the same time. Waiters are served in arrival order, so a
 * large image is not starved by a stream of small ones.
 */
export class PixelBudget {
  private available: number;
  private readonly waiting: { readonly pixels: number; readonly start: () => void }[] = [];

  /** @param capacity most pixels decoded at once; no single share may exceed it (the caller checks). */
  constructor(readonly capacity: number) {
    this.available = capacity;
  }

  /**
   * Runs `work` once `pixels` are free, and frees them when it settles.
   * @param pixels the image's width × height, at most `capacity`
   * @returns what `work` returns
   */
  async with<T>(pixels: number, work: () => Promise<T>): Promise<T> {
    if (pixels > this.capacity)
      throw new RangeError(`internal: ${pixels} pixels asked of a budget of ${this.capacity}`);
    if (this.waiting.length > 0 || pixels > this.available) {
      await new Promise<void>((start) => this.waiting.push({ pixels, start }));
    } else {
      this.available -= pixels;
    }
    try {
      return await work();
    } finally {
      this.available += pixels;
      this.startWaiting();
    }
  }

  /** Pixels taken now (for tests and metrics). */
  get inUse(): number {
    return this.capacity - this.available;
  }

  private startWaiting(): void {
    while (this.waiting.length > 0 && this.waiting[0]!.pixels <= this.available) {
      const next = this.waiting.shift()!;
      this.available -= next.pixels;
      next.start();
    }
  }
}
