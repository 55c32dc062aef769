/**
 * A static file server for the built example page: what any static host must do for it, in 80 lines.
 * - COOP/COEP headers make the page cross-origin isolated, which gives onnxruntime-web SharedArrayBuffer and so
 *   its multi-threaded wasm (without them it still runs, on one thread).
 * - .wasm must be served as application/wasm (streaming compilation refuses anything else), .mjs as JavaScript.
 *
 *   node --import tsx examples/web/serve.ts [folder] [port]      (default: examples/web/dist, 8080)
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.pth': 'application/octet-stream',
  '.tar': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
};

const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export interface StaticServer {
  /** Base URL, ending in '/'. */
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Serves folders on 127.0.0.1: `mounts` maps URL prefixes ('/' , '/fixtures/') to folders; the longest prefix
 * wins. Port 0 picks a free one.
 */
export async function startStaticServer(mounts: Readonly<Record<string, string>>, port = 0): Promise<StaticServer> {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = createServer((request, response) => {
    const path = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
    const prefix = prefixes.find((p) => path.startsWith(p));
    const file =
      prefix === undefined ? undefined : fileWithin(mounts[prefix]!, path.slice(prefix.length) || 'index.html');
    void sendFile(file, response);
  });
  await new Promise<void>((done) => server.listen(port, '127.0.0.1', done));
  const { port: chosen } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${chosen}/`, close: () => closeServer(server) };
}

/** The file a URL path names inside `root`, or nothing for paths that climb out of it ('..'). */
function fileWithin(root: string, relative: string): string | undefined {
  const file = resolve(root, normalize(relative));
  return file.startsWith(resolve(root) + sep) ? file : undefined;
}

async function sendFile(file: string | undefined, response: ServerResponse): Promise<void> {
  const found = file === undefined ? undefined : await stat(file).catch(() => undefined);
  if (file === undefined || found === undefined || !found.isFile()) {
    response.writeHead(404, { 'Content-Type': 'text/plain', ...ISOLATION_HEADERS }).end('not found');
    return;
  }
  response.writeHead(200, {
    'Content-Type': MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': found.size,
    'Cache-Control': 'no-store',
    ...ISOLATION_HEADERS,
  });
  createReadStream(file).pipe(response);
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((done, fail) => server.close((error) => (error ? fail(error) : done())));
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const folder = process.argv[2] ?? join(fileURLToPath(new URL('.', import.meta.url)), 'dist');
  const server = await startStaticServer({ '/': folder }, Number(process.argv[3] ?? 8080));
  console.log(`serving ${folder} at ${server.url} (Ctrl-C stops)`);
}
