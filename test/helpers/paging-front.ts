import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback, readBody } from './http-server.js';

export interface PagingFront {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** `127.0.0.1:PORT` */
  host: string;
  stop(): Promise<void>;
}

const TAGS_LIST = /^\/v2\/(.+)\/tags\/list$/;

/**
 * A front for a plain-HTTP registry that pages tag lists as distribution 3 does (docker-registry 2.8 ignores `n`):
 * `n` tags after `last`, in lexical order, at most `maxPage`, with a relative `Link: <…>; rel="next"` while more remain.
 * Every other request goes through unchanged. Binds 127.0.0.1.
 */
export async function startPagingFront(upstream: string, options: { maxPage?: number } = {}): Promise<PagingFront> {
  const maxPage = options.maxPage ?? 1000;
  const listening = await listenOnLoopback((request, response) => {
    const url = new URL(request.url ?? '/', upstream);
    const listed = request.method === 'GET' ? TAGS_LIST.exec(url.pathname) : null;
    const answer = listed
      ? page(upstream, request, response, url, listed[1]!, maxPage)
      : forward(upstream, request, response);
    answer.catch(() => response.destroy());
  });
  return {
    url: listening.origin,
    host: `127.0.0.1:${listening.port}`,
    stop: () => listening.close(),
  };
}

async function page(
  upstream: string,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  name: string,
  maxPage: number,
): Promise<void> {
  const whole = await exchange(upstream, { url: url.pathname, method: 'GET', headers: request.headers });
  if (whole.status !== 200) {
    response.writeHead(whole.status, whole.headers);
    return void response.end(whole.body);
  }
  const tags = ((JSON.parse(whole.body.toString('utf8')) as { tags?: string[] }).tags ?? []).sort();
  const n = Math.min(Number(url.searchParams.get('n') ?? maxPage) || maxPage, maxPage);
  const last = url.searchParams.get('last');
  const start = last === null ? 0 : tags.findIndex((t) => t > last);
  const slice = start < 0 ? [] : tags.slice(start, start + n);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (start >= 0 && start + n < tags.length) {
    const next = new URLSearchParams({ last: slice.at(-1)!, n: String(n) });
    headers.link = `</v2/${name}/tags/list?${next}>; rel="next"`;
  }
  response.writeHead(200, headers);
  response.end(JSON.stringify({ name, tags: slice }));
}

async function forward(upstream: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request, 64 * 1024 * 1024);
  const answer = await exchange(
    upstream,
    { url: request.url ?? '/', method: request.method ?? 'GET', headers: request.headers },
    body,
  );
  response.writeHead(answer.status, answer.headers);
  response.end(answer.body);
}

interface Exchanged {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function exchange(
  upstream: string,
  req: { url: string; method: string; headers: IncomingMessage['headers'] },
  body?: Buffer,
): Promise<Exchanged> {
  return new Promise((resolve, reject) => {
    const target = new URL(req.url, upstream);
    const headers = { ...req.headers, host: target.host };
    const out = httpRequest(target, { method: req.method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}
