import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PYTHON } from './paths.js';

/** What a bench PyTorch worker says when it is ready. */
export interface TorchWorkerInfo {
  readonly torchVersion: string;
  /** torch.get_num_threads() after set_num_threads: the threads it really runs with. */
  readonly threads: number;
}

/**
 * A long-lived Python worker spoken to in JSON lines: one request on stdin, one reply on stdout. The bench's
 * PyTorch baselines run this way so that they time themselves between the bench's own ONNX Runtime runs.
 */
export class JsonLineWorker {
  private readonly replies: AsyncIterator<string>;
  private stderr = '';

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    private readonly script: string,
  ) {
    this.replies = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    child.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString('utf8')));
  }

  /** Starts `script` with `args` and waits for its first line, the TorchWorkerInfo it sends once ready. */
  static async start(
    script: string,
    args: readonly string[],
  ): Promise<{ worker: JsonLineWorker; info: TorchWorkerInfo }> {
    const worker = new JsonLineWorker(spawn(PYTHON, [script, ...args], { stdio: 'pipe' }), script);
    try {
      return { worker, info: await worker.next<TorchWorkerInfo>() };
    } catch (error) {
      await worker.stop();
      throw error;
    }
  }

  async request<R>(message: object): Promise<R> {
    this.child.stdin.write(`${JSON.stringify(message)}\n`);
    return this.next<R>();
  }

  /** Closes its stdin: the worker's loop ends and it exits. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end();
    await exited;
  }

  private async next<R>(): Promise<R> {
    const { value, done } = await this.replies.next();
    if (done === true) throw new Error(`${this.script} exited early:\n${this.stderr.trim()}`);
    return JSON.parse(value) as R;
  }
}
