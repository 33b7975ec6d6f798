import { constants, createSecureServer, type Http2SecureServer, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CLIENT_OPTIONS, RegistryClient } from '../../src/registry/distribution/client.js';
import { RegistryRepository } from '../../src/registry/distribution/registry-repository.js';
import type { WireProtocol } from '../../src/registry/http/multiplexed-pool.js';
import { useRegistry } from '../helpers/e2e-fixture.js';
import { startForwardProxy } from '../helpers/forward-proxy.js';
import { type ListeningServer, listenOnLoopback } from '../helpers/http-server.js';
import type { RegistryHandle } from '../helpers/registry.js';
import { generatePki } from '../helpers/tls.js';

const pki = generatePki();
const { registry: tls, upstream } = useRegistry({ mode: 'basic' });
const { registry: plain, upstream: plainUpstream } = useRegistry({ mode: 'plain' });
const clients: RegistryClient[] = [];
let pushedDigest: string;
let plainDigest: string;

beforeAll(async () => {
  pushedDigest = (await upstream.push('team/app', 'v1', { platforms: ['linux/amd64'] })).digest;
  plainDigest = (await plainUpstream.push('team/app', 'v1', { platforms: ['linux/amd64'] })).digest;
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
});

/** A client of `host` that records the protocol of every connection it makes. */
function recordingClient(
  host: string,
  options: {
    caFile?: string;
    insecure?: boolean;
    http2?: boolean;
    maxConcurrency?: number;
    auth?: RegistryHandle;
    env?: NodeJS.ProcessEnv;
  },
): { client: RegistryClient; protocols: WireProtocol[] } {
  const protocols: WireProtocol[] = [];
  const { auth } = options;
  const client = new RegistryClient({
    ...DEFAULT_CLIENT_OPTIONS,
    registry: host,
    insecure: options.insecure ?? false,
    caFiles: options.caFile ? [options.caFile] : [],
    http2: options.http2 ?? true,
    maxConcurrency: options.maxConcurrency ?? 8,
    env: options.env ?? {},
    connected: (protocol) => protocols.push(protocol),
    ...(auth && {
      credentials: {
        find: async () => ({
          credential: { kind: 'basic' as const, username: auth.username!, password: auth.password! },
          source: 'test',
        }),
      },
    }),
  });
  clients.push(client);
  return { client, protocols };
}

/** Clients below ask for HTTP/2 (`http2: true`) unless a test says otherwise. */
describe('a TLS registry that offers HTTP/2 (distribution)', () => {
  it('is spoken to over HTTP/2, and answers as over HTTP/1.1', async () => {
    const { client, protocols } = recordingClient(tls.host, { caFile: tls.ca!.caCertPath, auth: tls });
    const repository = new RegistryRepository(client, 'team/app');
    const heads = await Promise.all(Array.from({ length: 6 }, () => repository.head('v1')));
    expect(heads.map((h) => h.digest)).toEqual(Array(6).fill(pushedDigest));
    expect(protocols.length).toBeGreaterThan(0);
    expect(new Set(protocols)).toEqual(new Set(['h2']));
  });

  it('is spoken to over HTTP/2 through an HTTPS_PROXY tunnel', async () => {
    const proxy = await startForwardProxy();
    try {
      const env = { HTTPS_PROXY: proxy.url };
      const { client, protocols } = recordingClient(tls.host, { caFile: tls.ca!.caCertPath, auth: tls, env });
      expect((await new RegistryRepository(client, 'team/app').head('v1')).digest).toBe(pushedDigest);
      expect(proxy.requests).toContainEqual({ method: 'CONNECT', target: tls.host });
      expect(new Set(protocols)).toEqual(new Set(['h2']));
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await proxy.stop();
    }
  });

  it('is spoken to over HTTP/1.1 by default: HTTP/2 is offered only when asked for', async () => {
    const { client, protocols } = recordingClient(tls.host, { caFile: tls.ca!.caCertPath, auth: tls, http2: false });
    expect((await new RegistryRepository(client, 'team/app').head('v1')).digest).toBe(pushedDigest);
    expect(new Set(protocols)).toEqual(new Set(['http/1.1']));
    expect(DEFAULT_CLIENT_OPTIONS.http2).toBe(false);
  });

  it('is spoken to over HTTP/2 when IMAGESTREAMS_HTTP2=1 is set', async () => {
    const env = { IMAGESTREAMS_HTTP2: '1' };
    const { client, protocols } = recordingClient(tls.host, {
      caFile: tls.ca!.caCertPath,
      auth: tls,
      http2: false,
      env,
    });
    expect((await new RegistryRepository(client, 'team/app').head('v1')).digest).toBe(pushedDigest);
    expect(new Set(protocols)).toEqual(new Set(['h2']));
  });
});

describe('falling back to HTTP/1.1', () => {
  let http1Only: ListeningServer;

  beforeAll(async () => {
    http1Only = await listenOnLoopback((_request, response) => {
      response.writeHead(200, { 'docker-distribution-api-version': 'registry/2.0' }).end('{}');
    }, pki.server);
  });

  afterAll(() => http1Only.close());

  it('with a TLS server whose handshake does not choose h2', async () => {
    const { client, protocols } = recordingClient(`127.0.0.1:${http1Only.port}`, { caFile: pki.caCertPath });
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        client.request({ method: 'GET', path: '/v2/team/app/tags/list', repository: 'team/app' }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    expect(new Set(protocols)).toEqual(new Set(['http/1.1']));
  });

  it('with a plain-http registry (no h2c)', async () => {
    const { client, protocols } = recordingClient(plain.host, { insecure: true });
    expect((await new RegistryRepository(client, 'team/app').head('v1')).digest).toBe(plainDigest);
    expect(new Set(protocols)).toEqual(new Set(['http/1.1']));
  });
});

/**
 * An HTTP/2-only server that holds each manifest request and answers those it holds together, a little after as many
 * as `limit` are open: a client that opened more streams at once would have them all open before the answers.
 */
async function holdingH2Server(limit: number): Promise<{
  server: Http2SecureServer;
  port: number;
  peakStreams: () => number;
  sessions: () => number;
}> {
  const server = createSecureServer({ cert: pki.server.certPem, key: pki.server.keyPem, allowHTTP1: false });
  let open = 0;
  let peak = 0;
  let sessions = 0;
  let held: ServerHttp2Stream[] = [];
  const answer = (stream: ServerHttp2Stream) => {
    if (!stream.destroyed) stream.respond({ ':status': 200, 'content-type': 'text/plain' }, { endStream: true });
  };
  server.on('session', () => sessions++);
  server.on('stream', (stream, headers) => {
    if (!String(headers[':path']).includes('/manifests/')) return answer(stream);
    open++;
    peak = Math.max(peak, open);
    stream.once('close', () => open--);
    held.push(stream);
    if (open === limit) {
      const batch = held;
      held = [];
      setTimeout(() => batch.forEach(answer), 50);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, peakStreams: () => peak, sessions: () => sessions };
}

describe('maxConcurrency over HTTP/2', () => {
  it('bounds the streams open at once to the registry, all on one connection', async () => {
    const h2 = await holdingH2Server(3);
    try {
      const { client, protocols } = recordingClient(`127.0.0.1:${h2.port}`, {
        caFile: pki.caCertPath,
        maxConcurrency: 3,
      });
      const answers = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          client.request({ method: 'HEAD', path: `/v2/team/app/manifests/t${i}`, repository: 'team/app' }),
        ),
      );
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(h2.peakStreams()).toBe(3);
      expect(h2.sessions()).toBe(1);
      expect(protocols).toEqual(['h2']);
    } finally {
      await Promise.all(clients.splice(0).map((c) => c.close()));
      await new Promise((resolve) => h2.server.close(resolve));
    }
  });
});

/** An HTTP/2-only server that answers every request with 200, after `misbehave` had its say on each stream. */
async function h2Server(misbehave: (stream: ServerHttp2Stream, path: string, index: number) => boolean): Promise<{
  port: number;
  streams: () => number;
  close: () => Promise<void>;
}> {
  const server = createSecureServer({ cert: pki.server.certPem, key: pki.server.keyPem, allowHTTP1: false });
  let streams = 0;
  server.on('stream', (stream, headers) => {
    stream.on('error', () => {});
    if (misbehave(stream, String(headers[':path']), streams++)) return;
    stream.respond({ ':status': 200 }, { endStream: true });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await new Promise((resolve) => server.close(resolve));
  };
  return { port: (server.address() as AddressInfo).port, streams: () => streams, close };
}

const heads = (client: RegistryClient, count: number) =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      client.request({ method: 'HEAD', path: `/v2/team/app/manifests/t${i}`, repository: 'team/app' }),
    ),
  );

describe('HTTP/2 failures under requests', () => {
  it('a request whose stream the server refuses (RST_STREAM REFUSED_STREAM) is sent again', async () => {
    const refused = new Set<string>();
    const server = await h2Server((stream, path) => {
      if (!path.includes('/manifests/') || refused.has(path)) return false;
      refused.add(path);
      stream.close(constants.NGHTTP2_REFUSED_STREAM);
      return true;
    });
    try {
      const { client } = recordingClient(`127.0.0.1:${server.port}`, { caFile: pki.caCertPath });
      expect((await heads(client, 4)).map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect(refused.size).toBe(4);
    } finally {
      await server.close();
    }
  });

  it('requests in flight when the server closes the connection with an error (GOAWAY) are sent again', async () => {
    const server = await h2Server((stream, _path, index) => {
      if (index !== 3) return false;
      stream.session?.goaway(constants.NGHTTP2_ENHANCE_YOUR_CALM, stream.id);
      return true;
    });
    try {
      const { client, protocols } = recordingClient(`127.0.0.1:${server.port}`, { caFile: pki.caCertPath });
      expect((await heads(client, 8)).map((a) => a.status)).toEqual(Array(8).fill(200));
      expect(protocols.length).toBeGreaterThan(1);
    } finally {
      await server.close();
    }
  });
});
