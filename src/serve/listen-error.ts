/** The server could not listen on its address (taken, not this host's, not allowed): nothing is served. */
export class ListenError extends Error {
  override readonly name = 'ListenError';
}

const REASONS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use',
  EADDRNOTAVAIL: 'the address is not one of this host',
  EACCES: 'permission denied (ports below 1024 need privileges)',
  ENOTFOUND: 'the host name does not resolve',
};

/**
 * One line for a failed listen: node's own message repeats the code and says "file" where the CLI's file-error
 * wording would take it for one.
 *
 * @param error what `server.listen` emitted
 * @returns `cannot listen on <host>:<port>: <reason> (<code>)`
 */
export function describeListenFailure(error: unknown, host: string, port: number): string {
  const code = (error as Partial<NodeJS.ErrnoException> | undefined)?.code;
  const reason =
    (code === undefined ? undefined : REASONS[code]) ?? (error instanceof Error ? error.message : String(error));
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return `cannot listen on ${address}: ${reason}${code === undefined ? '' : ` (${code})`}`;
}
