/**
 * Prometheus metrics in the text exposition format (version 0.0.4): counters and histograms with labels,
 * enough for `/metrics` without a client library.
 */
type Labels = Readonly<Record<string, string>>;

const labelText = (labels: Labels): string => {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`).join(',')}}`;
};

interface Metric {
  render(): string;
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>();
  constructor(
    private readonly name: string,
    private readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const [labels, value] of this.values) lines.push(`${this.name}${labels} ${value}`);
    return lines.join('\n');
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly buckets: readonly number[],
  ) {}

  observe(value: number, labels: Labels = {}): void {
    const key = labelText(labels);
    let series = this.series.get(key);
    if (series === undefined) {
      series = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    this.buckets.forEach((bound, i) => {
      if (value <= bound) series.counts[i]!++;
    });
    series.sum += value;
    series.count++;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const { labels, counts, sum, count } of this.series.values()) {
      this.buckets.forEach((bound, i) =>
        lines.push(`${this.name}_bucket${labelText({ ...labels, le: String(bound) })} ${counts[i]}`),
      );
      lines.push(`${this.name}_bucket${labelText({ ...labels, le: '+Inf' })} ${count}`);
      lines.push(`${this.name}_sum${labelText(labels)} ${sum}`);
      lines.push(`${this.name}_count${labelText(labels)} ${count}`);
    }
    return lines.join('\n');
  }
}

const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const BATCH_SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** The server's metrics. */
export class ServerMetrics {
  readonly requests = new Counter('nin_requests_total', 'HTTP requests answered, by route and status code.');
  readonly failures = new Counter(
    'nin_request_failures_total',
    'HTTP requests answered with a 4xx or 5xx status, by route and status code.',
  );
  readonly requestSeconds = new Histogram(
    'nin_request_duration_seconds',
    "Time from a request's arrival to its answer, by route.",
    SECONDS,
  );
  readonly queueSeconds = new Histogram(
    'nin_queue_duration_seconds',
    'Time requests waited in the batching queue, by model.',
    SECONDS,
  );
  readonly inferenceSeconds = new Histogram(
    'nin_inference_duration_seconds',
    'Time of each ONNX Runtime run, by model.',
    SECONDS,
  );
  readonly batchSize = new Histogram(
    'nin_batch_size',
    'Rows (images) in each ONNX Runtime run, by model.',
    BATCH_SIZES,
  );

  render(): string {
    return `${[this.requests, this.failures, this.requestSeconds, this.queueSeconds, this.inferenceSeconds, this.batchSize].map((m) => m.render()).join('\n')}\n`;
  }

  /** The batcher's observer for one model. */
  observerFor(model: string): { queued(seconds: number): void; batch(rows: number, seconds: number): void } {
    return {
      queued: (seconds) => this.queueSeconds.observe(seconds, { model }),
      batch: (rows, seconds) => {
        this.batchSize.observe(rows, { model });
        this.inferenceSeconds.observe(seconds, { model });
      },
    };
  }
}
