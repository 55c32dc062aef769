import type { Writable } from 'node:stream';

/** One access-log record: a JSON object per line, for log shippers. */
export interface AccessRecord {
  readonly time: string;
  readonly remote: string | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  /** The status the client was sent (node:http's 408 for a request past --request-timeout too); 0 when none was. */
  readonly status: number;
  readonly ms: number;
  /** Body bytes received. */
  readonly bytesIn: number;
  /** Bytes written to the connection for this response: status line, headers and body. */
  readonly bytesOut: number;
  readonly model?: string;
  /** The error message sent (4xx/5xx), or what went wrong inside for a 500. */
  readonly error?: string;
  /** The response never completed: the client went away or the connection broke. */
  readonly aborted?: boolean;
}

export class AccessLog {
  constructor(private readonly out: Writable | undefined) {}

  write(record: AccessRecord): void {
    this.out?.write(`${JSON.stringify(record)}\n`);
  }

  /** Server events that are not requests (listening, draining, stopped). */
  event(event: string, details: Readonly<Record<string, unknown>> = {}): void {
    this.out?.write(`${JSON.stringify({ time: new Date().toISOString(), event, ...details })}\n`);
  }
}
