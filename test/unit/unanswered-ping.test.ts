import { describe, expect, it } from 'vitest';
import { RegistryEndpoint, UNANSWERED_PING_MEMORY_MS } from '../../src/registry/auth/endpoint.js';
import { RegistryText } from '../../src/registry/http/registry-text.js';
import { DEFAULT_RETRY_POLICY, withRetries } from '../../src/registry/http/retry.js';
import { connectTimeoutOf, type HttpRequest } from '../../src/registry/http/transport.js';
import { failureWording } from '../../src/registry/http/worded-failures.js';
import { answer } from './fake-http.js';

const connectTimeout = () => Object.assign(new Error('Connect Timeout Error'), { code: 'UND_ERR_CONNECT_TIMEOUT' });
const reset = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

/** An endpoint whose pings fail with `failure` while it is set, on a clock the test moves. */
function endpoint() {
  const clock = { now: 1_000_000, failure: undefined as (() => Error) | undefined, pings: 0 };
  const send = async (_req: HttpRequest) => {
    clock.pings++;
    if (clock.failure) throw clock.failure();
    return answer(200);
  };
  const e = new RegistryEndpoint({
    registry: 'registry.example',
    apiHost: 'registry.example',
    insecure: false,
    userAgent: 'test',
    retry: DEFAULT_RETRY_POLICY,
    text: new RegistryText(),
    send,
    word: failureWording({}, false),
    now: () => clock.now,
  });
  return { endpoint: e, clock };
}

describe('a ping the registry never answered', () => {
  it('is remembered a while: the other repositories fail at once with the same error, without a connection', async () => {
    const { endpoint: e, clock } = endpoint();
    clock.failure = connectTimeout;
    const first = await e.get().catch((error: unknown) => error);
    expect(first).toMatchObject({
      reason: 'Unreachable',
      message: 'cannot reach registry registry.example: connection timed out',
    });
    clock.failure = undefined;
    clock.now += UNANSWERED_PING_MEMORY_MS - 1;
    await expect(e.get()).rejects.toBe(first);
    expect(clock.pings).toBe(1);
  });

  it('is tried again once the memory has passed, so that a long-running watch recovers', async () => {
    const { endpoint: e, clock } = endpoint();
    clock.failure = reset;
    await expect(e.get()).rejects.toThrow('cannot reach');
    clock.failure = undefined;
    clock.now += UNANSWERED_PING_MEMORY_MS;
    await expect(e.get()).resolves.toMatchObject({ challenge: undefined });
    expect(clock.pings).toBe(2);
  });
});

describe('connection set-up', () => {
  it('is bounded by the request deadline when that is shorter than the connect timeout', () => {
    const deadline = { graceMs: 3_000, minBytesPerSecond: 1 };
    expect(connectTimeoutOf({ connectTimeoutMs: 15_000, deadline })).toBe(3_000);
    expect(connectTimeoutOf({ connectTimeoutMs: 15_000, deadline: { ...deadline, graceMs: 60_000 } })).toBe(15_000);
  });

  it('is tried twice when it times out, whatever the retry policy allows', async () => {
    let attempts = 0;
    const send = withRetries(
      async () => {
        attempts++;
        throw connectTimeout();
      },
      { ...DEFAULT_RETRY_POLICY, maxRetries: 4 },
      async () => {},
    );
    const request: HttpRequest = { method: 'GET', url: new URL('https://registry.example/v2/'), headers: {} };
    await expect(send(request, { registry: 'registry.example' })).rejects.toMatchObject({
      code: 'UND_ERR_CONNECT_TIMEOUT',
    });
    expect(attempts).toBe(2);
  });

  it('leaves other failures their retries', async () => {
    let attempts = 0;
    const send = withRetries(
      async () => {
        attempts++;
        throw reset();
      },
      { ...DEFAULT_RETRY_POLICY, maxRetries: 4 },
      async () => {},
    );
    const request: HttpRequest = { method: 'GET', url: new URL('https://registry.example/v2/'), headers: {} };
    await expect(send(request, { registry: 'registry.example' })).rejects.toThrow('socket hang up');
    expect(attempts).toBe(5);
  });
});
