/**
 * The serve bench's load generator: concurrent HTTP/1.1 keep-alive clients on raw sockets, each sending requests
 * encoded once beforehand and reading each answer whole before the next, as wrk or hey do. node:http's client cost
 * about 0.3 ms of CPU a request here (its agent, parser and header objects), as much as the server's own HTTP work:
 * on a 2-core machine that runs both, the load generator's cost is taken from the server. Every answer is checked:
 * status 200, and after the JSON header (Inference-Header-Content-Length) exactly the binary scores asked for;
 * anything else counts as failed.
 */
import { connect, type Socket } from 'node:net';

export interface LoadRequest {
  /** The whole request: request line, headers (Content-Length included) and body. */
  readonly bytes: Buffer;
  /** The binary tensor data the answer must carry after its JSON header (the scores of the request's images). */
  readonly expectedBinaryBytes: number;
}

export interface LoadResult {
  readonly seconds: number;
  readonly failed: number;
  /** Milliseconds from the request's first byte written to its answer's last byte read, one per request. */
  readonly latenciesMs: readonly number[];
  /** CPU time (user + system) of this process during the run, in ms: the clients' own cost. */
  readonly clientCpuMs: number;
}

const HEAD_END = Buffer.from('\r\n\r\n');
/** Heads longer than this are a broken server, not a slow one. */
const MAX_HEAD_BYTES = 16 * 1024;

/** `request` encoded as HTTP/1.1 with keep-alive. */
export function encodeRequest(
  method: string,
  url: URL,
  headers: Readonly<Record<string, string>>,
  body: Buffer,
): Buffer {
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`, 'Connection: keep-alive'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  lines.push(`Content-Length: ${body.length}`, '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), body]);
}

/**
 * `clients` connections, each sending the next of `total` requests (cycling through `requests`) as soon as its
 * previous answer is in. Bounded: every loop ends after `total` requests, a connection that fails ends its client.
 */
export async function runLoad(
  url: URL,
  clients: number,
  total: number,
  requests: readonly LoadRequest[],
): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  let failed = 0;
  let next = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const client = async (): Promise<void> => {
    let connection: Connection | undefined;
    while (next < total) {
      const k = next++;
      const request = requests[k % requests.length]!;
      connection ??= await Connection.open(url);
      const sent = performance.now();
      const answer = await connection.exchange(request.bytes);
      latenciesMs.push(performance.now() - sent);
      if (answer.status !== 200 || answer.bodyBytes - answer.jsonBytes !== request.expectedBinaryBytes) failed++;
      if (answer.closed) {
        connection.close();
        connection = undefined;
      }
    }
    connection?.close();
  };
  await Promise.all(Array.from({ length: clients }, client));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { seconds, failed, latenciesMs, clientCpuMs: (cpu.user + cpu.system) / 1000 };
}

interface Answer {
  readonly status: number;
  readonly bodyBytes: number;
  /** The JSON header's length (Inference-Header-Content-Length), the whole body where the header is absent. */
  readonly jsonBytes: number;
  /** The server closes the connection after this answer (or it broke): the next request needs a new one. */
  readonly closed: boolean;
}

/** One keep-alive connection that carries one request at a time. */
class Connection {
  private head: Buffer[] = [];
  private headBytes = 0;
  private status = 0;
  private jsonBytes = 0;
  private closeAfter = false;
  private bodyLeft = -1;
  private bodyBytes = 0;
  private settle: ((answer: Answer) => void) | undefined;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    const broken = (): void => this.fail();
    socket.on('error', broken);
    socket.on('close', broken);
  }

  static open(url: URL): Promise<Connection> {
    return new Promise((resolve) => {
      const socket = connect(Number(url.port), url.hostname);
      socket.setNoDelay(true);
      const connection = new Connection(socket);
      socket.once('connect', () => resolve(connection));
      socket.once('error', () => resolve(connection));
    });
  }

  exchange(bytes: Buffer): Promise<Answer> {
    if (this.socket.destroyed) return Promise.resolve({ status: 0, bodyBytes: 0, jsonBytes: 0, closed: true });
    this.head = [];
    this.headBytes = 0;
    this.bodyLeft = -1;
    this.bodyBytes = 0;
    return new Promise((resolve) => {
      this.settle = resolve;
      this.socket.write(bytes);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.settle === undefined) return;
    if (this.bodyLeft < 0) {
      this.head.push(chunk);
      this.headBytes += chunk.length;
      const buffered = this.head.length === 1 ? chunk : Buffer.concat(this.head);
      const end = buffered.indexOf(HEAD_END);
      if (end < 0) {
        if (this.headBytes > MAX_HEAD_BYTES) this.fail();
        return;
      }
      if (!this.parseHead(buffered.toString('latin1', 0, end))) return this.fail();
      chunk = buffered.subarray(end + HEAD_END.length);
    }
    this.bodyBytes += chunk.length;
    this.bodyLeft -= chunk.length;
    if (this.bodyLeft <= 0)
      this.finish({
        status: this.status,
        bodyBytes: this.bodyBytes,
        jsonBytes: this.jsonBytes,
        closed: this.closeAfter || this.bodyLeft < 0,
      });
  }

  /** Status and body length; only Content-Length bodies are understood (nin-sdk serve sends nothing else). */
  private parseHead(head: string): boolean {
    const status = /^HTTP\/1\.1 (\d{3}) /.exec(head);
    const length = /\r\ncontent-length: *(\d+)/i.exec(head);
    if (status === null || length === null) return false;
    this.status = Number(status[1]);
    this.bodyLeft = Number(length[1]);
    const json = /\r\ninference-header-content-length: *(\d+)/i.exec(head);
    this.jsonBytes = json === null ? this.bodyLeft : Number(json[1]);
    this.closeAfter = /\r\nconnection: *close/i.test(head);
    return true;
  }

  private fail(): void {
    this.finish({ status: 0, bodyBytes: this.bodyBytes, jsonBytes: 0, closed: true });
  }

  private finish(answer: Answer): void {
    const settle = this.settle;
    this.settle = undefined;
    settle?.(answer);
  }
}
