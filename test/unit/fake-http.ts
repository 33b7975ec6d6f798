import { Readable } from 'node:stream';
import type { HttpRequest, HttpResponse } from '../../src/registry/http/transport.js';
import type { TransportFactory } from '../../src/registry/http/transport-pool.js';

/** An answer as the transport gives it: a status, headers and a body that can be read or drained. */
export function answer(status: number, headers: Record<string, string> = {}, body: unknown = ''): HttpResponse {
  const bytes = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  const stream = Readable.from([bytes]) as Readable & { dump?: () => Promise<void> };
  stream.dump = async () => {
    stream.resume();
  };
  return { status, headers, body: stream as unknown as HttpResponse['body'] };
}

/** What a fake transport saw of one request. */
export interface SeenRequest {
  method: string;
  url: string;
  authorization: string | undefined;
}

/** Transports for every origin that answer from one handler, with no network: `seen` lists the requests in order. */
export function fakeTransports(handle: (req: HttpRequest) => HttpResponse | Promise<HttpResponse>) {
  const seen: SeenRequest[] = [];
  const transport: TransportFactory = () => ({
    send: async (req) => {
      seen.push({ method: req.method, url: req.url.href, authorization: req.headers.authorization });
      return handle(req);
    },
    close: async () => {},
  });
  return { seen, transport };
}

export const BEARER_CHALLENGE =
  'Bearer realm="https://auth.example/token",service="registry.example",scope="repository:team/app:pull"';
