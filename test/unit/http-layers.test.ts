import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DEADLINE } from '../../src/registry/http/deadline.js';
import { DEFAULT_RETRY_POLICY, withRetries } from '../../src/registry/http/retry.js';
import type { HttpRequest, HttpResponse, TransportOptions } from '../../src/registry/http/transport.js';
import { TransportPool } from '../../src/registry/http/transport-pool.js';
import { failureWording, withWordedFailures } from '../../src/registry/http/worded-failures.js';
import { answer } from './fake-http.js';

const peer = { registry: 'registry.example' };
const get = (url: string, body?: HttpRequest['body']): HttpRequest => ({
  method: 'GET',
  url: new URL(url),
  headers: {},
  ...(body !== undefined && { body }),
});
const refused = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

describe('the transport pool', () => {
  it('makes one transport per origin, with the proxy the environment gives for it', async () => {
    const made: TransportOptions[] = [];
    const settings = {
      insecure: false,
      caFiles: [],
      connections: 4,
      http2: true,
      connectTimeoutMs: 1,
      bodyTimeoutMs: 1,
    };
    const env = { https_proxy: 'proxy.corp:3128', no_proxy: 'cdn.example' };
    const pool = new TransportPool({ ...settings, deadline: DEFAULT_DEADLINE, env }, (options) => {
      made.push(options);
      return { send: async () => answer(200), close: async () => {} };
    });
    await pool.send(get('https://registry.example/v2/'), peer);
    await pool.send(get('https://registry.example/v2/x'), peer);
    await pool.send(get('https://cdn.example/blob'), peer);
    expect(made.map((o) => [o.connections, o.proxy])).toEqual([
      [4, 'http://proxy.corp:3128'],
      [4, undefined],
    ]);
  });
});

/** `withRetries` over a transport answering from `answers` in turn (an Error is thrown), with waits recorded. */
function retrying(answers: (HttpResponse | Error)[], policy = DEFAULT_RETRY_POLICY) {
  const waits: number[] = [];
  let sent = 0;
  const send = withRetries(
    async () => {
      const next = answers[sent++] ?? answer(200);
      if (next instanceof Error) throw next;
      return next;
    },
    policy,
    async (ms) => {
      waits.push(ms);
    },
  );
  return { send, waits, sent: () => sent };
}

describe('retries', () => {
  it('send again after a 503 and a reset connection, waiting in between', async () => {
    const { send, waits } = retrying([answer(503), reset, answer(200)]);
    expect((await send(get('https://registry.example/v2/'), peer)).status).toBe(200);
    expect(waits).toHaveLength(2);
  });

  it('wait what Retry-After asks, unless longer than the policy allows: then the 429 is the answer', async () => {
    const { send, waits } = retrying([answer(429, { 'retry-after': '2' })]);
    await send(get('https://registry.example/v2/'), peer);
    expect(waits).toEqual([2000]);
    const long = retrying([answer(429, { 'retry-after': '3600' })]);
    expect((await long.send(get('https://registry.example/v2/'), peer)).status).toBe(429);
    expect(long.sent()).toBe(1);
  });

  it('stop after the policy maximum, answering the last status', async () => {
    const { send, sent } = retrying([answer(502), answer(502), answer(502)], {
      ...DEFAULT_RETRY_POLICY,
      maxRetries: 2,
    });
    expect((await send(get('https://registry.example/v2/'), peer)).status).toBe(502);
    expect(sent()).toBe(3);
  });

  it('never resend a stream body', async () => {
    const { send, sent } = retrying([answer(503)]);
    const res = await send(get('https://registry.example/v2/', Readable.from(['data'])), peer);
    expect([res.status, sent()]).toEqual([503, 1]);
  });

  it('do not retry a refused connection', async () => {
    const { send, sent } = retrying([refused]);
    await expect(send(get('https://registry.example/v2/'), peer)).rejects.toBe(refused);
    expect(sent()).toBe(1);
  });
});

describe('failures below HTTP', () => {
  it('are worded naming the peer and the proxy the request went through', async () => {
    const send = withWordedFailures(
      async () => {
        throw refused;
      },
      failureWording({ https_proxy: 'http://user:pw@proxy.corp:3128' }, false),
    );
    await expect(send(get('https://registry.example/v2/'), peer)).rejects.toThrow(
      'cannot reach registry registry.example through proxy proxy.corp:3128: connection refused',
    );
  });
});
