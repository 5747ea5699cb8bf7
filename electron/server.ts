/**
 * Browser mode: the same UI and the same host over HTTP on 127.0.0.1 (or HTTPS on a LAN address, serverAddress.ts),
 * guarded by a per-run token. The server only
 * routes: calls and events go to and from the engine process (engineClient.ts).
 *   POST /api/<method>     one contract call, JSON in and out
 *   GET  /api/events       job and workspace events (server-sent events)
 *   POST /api/upload       a file dropped or picked in the browser, saved into the workspace's uploads/
 *   GET  /api/download     a file from the workspace's exports/
 */
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Caller, OWNER } from '../shared/callerAccess.js';
import { isMethodName } from '../shared/contract.js';
import type { SiftErrorInfo } from '../shared/errors.js';
import type { Dispatcher } from './ipcWiring.js';
import { nodeHttp, nodeHttps } from './host/lazyBuiltins.js';
import { openExportForDownload } from './host/workspace/fileAccess.js';
import { ServedAddress, type ServerTls } from './serverAddress.js';

/** What the server serves: the engine (or, in tests and the CLI, a Host in this process). */
export interface ServedHost extends Dispatcher {
  workspaceDir(): string;
  /** Who calls with a token other than the server's own: an annotator of the workspace, or null (refused). */
  callerForToken(token: string | null): Caller | null;
}

export interface ServerOptions {
  host: ServedHost;
  port?: number;
  /** null turns the token check off (only for a trusted machine). */
  token?: string | null;
  staticDir: string;
  /** The address to listen on (default 127.0.0.1); `sift serve --host` decides whether a LAN one may be used. */
  hostname?: string;
  /** Serve HTTPS with this certificate and key (readTlsFiles in serverAddress.ts reads and checks them). */
  tls?: ServerTls;
  /** The largest file /api/upload accepts, in bytes. */
  maxUploadBytes?: number;
}

export interface RunningServer {
  url: string;
  port: number;
  /** Who the server answers: its scheme, the name its URL carries, and the Host/Origin check. */
  address: ServedAddress;
  token: string | null;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;
export const DEFAULT_MAX_UPLOAD_BYTES = 2 * 1024 ** 3;
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const STATUS_FOR: Partial<Record<SiftErrorInfo['code'], number>> = {
  BAD_REQUEST: 400,
  PAYLOAD_TOO_LARGE: 413,
  UNKNOWN_METHOD: 404,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  INTERNAL: 500,
};

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function fail(res: http.ServerResponse, status: number, code: SiftErrorInfo['code'], message: string): void {
  sendJson(res, status, { ok: false, error: { code, message } });
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new PayloadTooLarge('the request body is larger than 1 MB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

class PayloadTooLarge extends Error {}

function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token === undefined ? randomBytes(18).toString('base64url') : options.token;
  const hostname = options.hostname ?? '127.0.0.1';
  const { host } = options;
  const staticRoot = path.resolve(options.staticDir);
  const eventClients = new Set<http.ServerResponse>();
  const unsubscribe = host.onEvent((event) => {
    const frame = `data: ${JSON.stringify(event)}\n\n`;
    for (const client of eventClients) client.write(frame);
  });

  const maxUpload = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  // Known once listening (the port may be a free one the system picks); no request arrives before that.
  let address: ServedAddress | undefined;

  /**
   * The token travels in a header — `Authorization: Bearer …` or the UI's own `X-Sift-Token` — which a page on
   * another origin cannot set without a CORS preflight this server never grants. Only the two GET routes a
   * browser opens without headers (the event stream, a download link) take it from the URL.
   */
  function givenToken(req: http.IncomingMessage, url: URL, route: string): string | null {
    const header = req.headers['x-sift-token']?.toString();
    if (header) return header;
    const bearer = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '');
    if (bearer) return bearer[1]!;
    if (req.method === 'GET' && (route === 'events' || route === 'download')) return url.searchParams.get('token');
    return null;
  }

  const handler: http.RequestListener = async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      // A foreign Host (DNS rebinding) or Origin (a page elsewhere) is refused before anything else, UI and API alike.
      const foreign = address!.refusal(req.headers.host, req.headers.origin);
      if (foreign) return fail(res, 403, 'UNAUTHORIZED', foreign);
      if (url.pathname.startsWith('/api/')) {
        const given = givenToken(req, url, url.pathname.slice('/api/'.length));
        // Who the token belongs to: the owner, or an annotator (a token the lead made). What each may call is
        // decided by Host.dispatch from shared/callerAccess.ts.
        let caller: Caller | null = OWNER;
        if (token !== null && !tokenMatches(token, given)) caller = host.callerForToken(given);
        if (caller === null)
          return fail(
            res,
            401,
            'UNAUTHORIZED',
            'Missing or wrong access token: open the URL that `sift serve` printed (or the one your lead gave you).',
          );
        return await handleApi(req, res, url, caller);
      }
      if (req.method !== 'GET' && req.method !== 'HEAD')
        return fail(res, 405, 'BAD_REQUEST', `${req.method} is not allowed here.`);
      return serveStatic(res, url.pathname);
    } catch (error) {
      if (!res.headersSent) fail(res, 500, 'INTERNAL', error instanceof Error ? error.message : String(error));
      else res.end();
    }
  };
  const server = options.tls
    ? nodeHttps().createServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : nodeHttp().createServer(handler);

  async function handleApi(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    caller: Caller,
  ): Promise<void> {
    const route = url.pathname.slice('/api/'.length);
    // The routes that are not contract methods (events, upload, download) are the owner's.
    if (caller.role !== 'owner' && !isMethodName(route)) {
      return fail(
        res,
        403,
        'FORBIDDEN',
        `${route}: an annotator's token reaches only labeling; the rest is the workspace owner's.`,
      );
    }
    if (route === 'events' && req.method === 'GET') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      eventClients.add(res);
      req.on('close', () => eventClients.delete(res));
      return;
    }
    if (route === 'upload' && req.method === 'POST') return upload(req, res, url);
    if (route === 'download' && req.method === 'GET') return download(res, url);
    if (req.method !== 'POST') return fail(res, 405, 'BAD_REQUEST', `Use POST for /api/${route}.`);
    if (!isMethodName(route)) return fail(res, 404, 'UNKNOWN_METHOD', `There is no method named "${route}".`);
    if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
      return fail(res, 415, 'BAD_REQUEST', `${route}: send the input as JSON (Content-Type: application/json).`);
    }
    let input: unknown;
    try {
      const body = await readBody(req);
      input = body.trim() === '' ? {} : JSON.parse(body);
    } catch (error) {
      if (error instanceof PayloadTooLarge) return fail(res, 413, 'PAYLOAD_TOO_LARGE', `${route}: ${error.message}.`);
      return fail(
        res,
        400,
        'BAD_REQUEST',
        `${route}: the request body is not valid JSON (${error instanceof Error ? error.message : error}).`,
      );
    }
    const outcome = await host.dispatch(route, input, caller);
    sendJson(res, outcome.ok ? 200 : (STATUS_FOR[outcome.error.code] ?? 422), outcome);
  }

  async function upload(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> {
    const name = path.basename(url.searchParams.get('name') ?? '').replace(/[^\w.\- ]+/g, '_');
    if (!name || name.startsWith('.'))
      return fail(res, 400, 'BAD_REQUEST', 'upload: the name parameter must be a file name.');
    const tooLarge = () =>
      fail(
        res,
        413,
        'PAYLOAD_TOO_LARGE',
        `upload of ${name}: the file is larger than this server accepts (${(maxUpload / 1024 ** 2).toLocaleString('en-US')} MiB); import it with sift import on the machine that runs Sift.`,
      );
    const declared = Number(req.headers['content-length'] ?? Number.NaN);
    if (declared > maxUpload) {
      res.setHeader('connection', 'close');
      tooLarge();
      req.destroy();
      return;
    }
    const dir = path.join(host.workspaceDir(), 'uploads', randomUUID().slice(0, 8));
    fs.mkdirSync(dir, { recursive: true });
    const target = path.join(dir, name);
    let received = 0;
    const limit = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        if (received > maxUpload) callback(new PayloadTooLarge('too large'));
        else callback(null, chunk);
      },
    });
    try {
      await pipeline(req, limit, fs.createWriteStream(target));
    } catch (error) {
      fs.rmSync(dir, { recursive: true, force: true });
      if (error instanceof PayloadTooLarge) {
        res.setHeader('connection', 'close');
        return tooLarge();
      }
      return fail(
        res,
        400,
        'BAD_REQUEST',
        `upload of ${name} failed: ${error instanceof Error ? error.message : error}`,
      );
    }
    sendJson(res, 200, { ok: true, value: { path: target, bytes: fs.statSync(target).size } });
  }

  function download(res: http.ServerResponse, url: URL): void {
    // fileAccess.ts decides what may be served: a regular file named directly in exports/, never a link out of it.
    const opened = openExportForDownload(path.join(host.workspaceDir(), 'exports'), url.searchParams.get('path') ?? '');
    if (!opened)
      return fail(res, 404, 'NOT_FOUND', 'download: only files in the workspace exports folder can be downloaded.');
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-disposition': `attachment; filename="${opened.name.replace(/"/g, '')}"`,
      'content-length': opened.size,
    });
    fs.createReadStream('', { fd: opened.fd }).pipe(res);
  }

  function serveStatic(res: http.ServerResponse, pathname: string): void {
    const relative = decodeURIComponent(pathname).replace(/^\/+/, '');
    let file = path.resolve(staticRoot, relative || 'index.html');
    if (!file.startsWith(staticRoot + path.sep) && file !== staticRoot)
      return fail(res, 404, 'NOT_FOUND', 'Not found.');
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) file = path.join(staticRoot, 'index.html');
    if (!fs.existsSync(file)) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('The UI is not built. Run: npm run build');
      return;
    }
    res.writeHead(200, {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  }

  const served = await new Promise<ServedAddress>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, hostname, () => {
      address = new ServedAddress(hostname, (server.address() as AddressInfo).port, options.tls ?? null);
      resolve(address);
    });
  });
  const base = served.baseUrl;
  return {
    url: token ? `${base}?token=${token}` : base,
    port: served.port,
    address: served,
    token,
    close: async () => {
      unsubscribe();
      for (const client of eventClients) client.end();
      // server.close waits for every open connection; a request still waiting on a long query would hold it (and
      // `sift serve` after SIGTERM) until the query ends, so the connections are closed now, not after.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
