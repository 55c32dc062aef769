import { HttpError } from './http-error.js';

export interface FilePart {
  /** The part's filename, else its field name. */
  readonly name: string;
  readonly bytes: Buffer;
}

/** Most parts read from one multipart body. */
export const MAX_PARTS = 256;

/**
 * The parts of a `multipart/form-data` body (RFC 7578), each with its filename (or field name) and bytes. Only
 * what a browser form or `curl -F image=@cat.jpg` sends; the whole body is already in memory, bounded.
 */
export function parseMultipart(body: Buffer, contentType: string): FilePart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const token = boundary?.[1] ?? boundary?.[2];
  if (token === undefined || token.length > 70)
    throw new HttpError(400, 'multipart/form-data without a valid boundary');
  const delimiter = Buffer.from(`--${token}`);
  const parts: FilePart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) throw new HttpError(400, 'the multipart body has no part');
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') break;
    const headersEnd = body.indexOf('\r\n\r\n', position);
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), position);
    if (headersEnd < 0 || next < 0 || headersEnd > next)
      throw new HttpError(400, 'the multipart body is truncated or malformed');
    const headers = body.subarray(position, headersEnd).toString('latin1');
    const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
    const name =
      /filename="([^"]*)"/i.exec(disposition)?.[1] ??
      /name="([^"]*)"/i.exec(disposition)?.[1] ??
      `part ${parts.length + 1}`;
    parts.push({ name, bytes: body.subarray(headersEnd + 4, next) });
    if (parts.length > MAX_PARTS) throw new HttpError(400, `more than ${MAX_PARTS} parts in one request`);
    position = next + 2;
  }
  if (parts.length === 0) throw new HttpError(400, 'the multipart body has no part');
  return parts;
}
