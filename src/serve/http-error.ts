/**
 * A failure that becomes an HTTP error response `{"error": message}` with this status. Anything thrown that is
 * not an HttpError is a bug: the client sees only "internal error", the access log gets the details.
 */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
