import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { fetchToken, type TokenFetch, type TokenRequest } from '../../src/registry/auth/token-fetch.js';
import { RegistryText } from '../../src/registry/http/registry-text.js';
import type { HttpResponse } from '../../src/registry/http/transport.js';

function tokenAnswer(body: unknown, status = 200): HttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json' },
    body: Readable.from([Buffer.from(JSON.stringify(body))]) as unknown as HttpResponse['body'],
  };
}

/** A token fetch that records what was sent and answers with `answer`. */
function recordingSend(answer: () => HttpResponse = () => tokenAnswer({ token: 'issued-token-0123456789' })) {
  const sent: Parameters<TokenFetch>[0][] = [];
  const send: TokenFetch = async (request) => {
    sent.push(request);
    return answer();
  };
  return { sent, send };
}

function request(realm: string, overrides: Partial<TokenRequest> = {}): TokenRequest {
  return {
    challenge: { scheme: 'bearer', params: { realm, service: 'registry' } },
    scope: 'repository:team/app:pull',
    found: { credential: { kind: 'identityToken', token: 'refresh-secret-42' }, source: '--authfile auth.json' },
    registry: 'registry.example',
    allowPlainHttp: false,
    text: new RegistryText(),
    ...overrides,
  };
}

describe('the token realm of a registry reached over https', () => {
  it('is refused over plain http, with nothing sent, naming the registry and the scheme', async () => {
    const { sent, send } = recordingSend();
    await expect(fetchToken(request('http://auth.example/token'), send)).rejects.toThrow(
      'registry registry.example is reached over https but names a token server over plain http (realm http://auth.example/token): refused, no credentials were sent; the registry must give an https realm, or set "insecure: true" for registry.example to allow it',
    );
    expect(sent).toEqual([]);
  });

  it('is used over https', async () => {
    const { sent, send } = recordingSend();
    const token = await fetchToken(request('https://auth.example/token'), send);
    expect(token.token).toBe('issued-token-0123456789');
    expect(sent.map((s) => `${s.method} ${s.url.origin}`)).toEqual(['POST https://auth.example']);
  });

  it('may be plain http when the registry itself is (or is insecure)', async () => {
    const { sent, send } = recordingSend();
    await fetchToken(request('http://auth.example/token', { allowPlainHttp: true }), send);
    expect(sent).toHaveLength(1);
  });

  it('is refused when it is not an http(s) URL, quoted clipped and scrubbed', async () => {
    const text = new RegistryText();
    text.remember({ kind: 'identityToken', token: 'refresh-secret-42' });
    const realm = `ftp://x/refresh-secret-42/${'r'.repeat(8192)}`;
    const { send } = recordingSend();
    const failure = fetchToken(request(realm, { text }), send);
    await expect(failure).rejects.toThrow(
      `registry registry.example sent a Bearer challenge with an invalid realm "ftp://x/[redacted]/${'r'.repeat(181)}"… (8211 characters)`,
    );
  });
});

describe('the token server', () => {
  it('is named by its own address when it refuses', async () => {
    const { send } = recordingSend(() => tokenAnswer({ errors: [] }, 401));
    await expect(fetchToken(request('https://auth.example/token'), send)).rejects.toThrow(
      'token server https://auth.example/token of registry registry.example refused the credentials from --authfile auth.json',
    );
  });

  it('is learnt from: the token it issued is scrubbed from anything shown later', async () => {
    const text = new RegistryText();
    const { send } = recordingSend();
    await fetchToken(request('https://auth.example/token', { text }), send);
    expect(text.show('echo: Bearer issued-token-0123456789')).toBe('echo: Bearer [redacted]');
  });

  it('must answer with a token a header can carry', async () => {
    const { send } = recordingSend(() => tokenAnswer({ token: 'abc\r\nX-Injected: 1' }));
    await expect(fetchToken(request('https://auth.example/token'), send)).rejects.toThrow(
      'token server https://auth.example/token of registry registry.example answered with a token an HTTP header cannot carry',
    );
  });
});
