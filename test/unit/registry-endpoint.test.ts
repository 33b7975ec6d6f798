import { describe, expect, it } from 'vitest';
import { RegistryError } from '../../src/core/errors.js';
import { RegistryEndpoint } from '../../src/registry/auth/endpoint.js';
import { RegistryText } from '../../src/registry/http/registry-text.js';
import { DEFAULT_RETRY_POLICY } from '../../src/registry/http/retry.js';
import type { HttpRequest, HttpResponse } from '../../src/registry/http/transport.js';
import { failureWording } from '../../src/registry/http/worded-failures.js';
import { answer, BEARER_CHALLENGE } from './fake-http.js';

const tlsFailure = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });

/** An endpoint of registry.example whose pings `ping` answers (or throws), recording the URLs pinged. */
function endpoint(ping: (url: URL) => HttpResponse, insecure = false) {
  const pinged: string[] = [];
  const send = async (req: HttpRequest) => {
    pinged.push(req.url.href);
    return ping(req.url);
  };
  const options = { registry: 'registry.example', apiHost: 'registry.example', insecure, userAgent: 'test' };
  const word = failureWording({}, insecure);
  const text = new RegistryText();
  return { endpoint: new RegistryEndpoint({ ...options, retry: DEFAULT_RETRY_POLICY, text, send, word }), pinged };
}

describe('the registry endpoint', () => {
  it('is anonymous when GET /v2/ answers 200', async () => {
    const { endpoint: e } = endpoint(() => answer(200));
    expect(await e.get()).toEqual({ base: new URL('https://registry.example/'), challenge: undefined });
  });

  it('carries the challenge of a 401, Bearer preferred over Basic', async () => {
    const { endpoint: e } = endpoint(() => answer(401, { 'www-authenticate': `Basic realm="r", ${BEARER_CHALLENGE}` }));
    expect((await e.get()).challenge).toMatchObject({ scheme: 'bearer', params: { service: 'registry.example' } });
  });

  it('is pinged once', async () => {
    const { endpoint: e, pinged } = endpoint(() => answer(200));
    await Promise.all([e.get(), e.get()]);
    await e.get();
    expect(pinged).toHaveLength(1);
  });

  it('is pinged again after a ping failed', async () => {
    let answers = 0;
    const { endpoint: e, pinged } = endpoint(() => answer(++answers === 1 ? 503 : 200));
    await expect(e.get()).rejects.toThrow('registry registry.example answered HTTP 503 to GET /v2/');
    await e.get();
    expect(pinged).toHaveLength(2);
  });

  it('falls back to plain http when insecure and TLS fails', async () => {
    const { endpoint: e, pinged } = endpoint((url) => {
      if (url.protocol === 'https:') throw tlsFailure;
      return answer(200);
    }, true);
    expect(await e.scheme()).toBe('http');
    expect(pinged).toEqual(['https://registry.example/v2/', 'http://registry.example/v2/']);
  });

  it('never tries plain http when not insecure, and words the TLS failure with its hint', async () => {
    const { endpoint: e, pinged } = endpoint(() => {
      throw tlsFailure;
    });
    const error = await e.get().catch((caught: RegistryError) => caught);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).reason).toBe('TLSError');
    expect((error as RegistryError).message).toContain('set "insecure: true" for registry.example');
    expect(pinged).toEqual(['https://registry.example/v2/']);
  });

  it('does not fall back when https answered, even with an error', async () => {
    const { endpoint: e, pinged } = endpoint(() => answer(404), true);
    await expect(e.get()).rejects.toThrow('registry.example does not serve the registry API (GET /v2/ answered 404)');
    expect(pinged).toEqual(['https://registry.example/v2/']);
  });

  it('refuses a challenge it cannot answer', async () => {
    const { endpoint: e } = endpoint(() => answer(401, { 'www-authenticate': 'Negotiate' }));
    await expect(e.get()).rejects.toThrow(
      'registry registry.example asks for an authentication scheme this client does not support',
    );
  });
});
